/** A record ready for Kafka: value already in Confluent wire format (magic byte, schema id, Avro body). */
export interface OutboundRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface EventPublisher {
  /** Resolves only once every record is acknowledged by the broker (acks=all). */
  publish(records: readonly OutboundRecord[]): Promise<void>;
}
