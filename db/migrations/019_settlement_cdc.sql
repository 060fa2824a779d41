-- Change data capture of psp_settlement for the Iceberg table settlement_lines
-- (docs/adr/0012-iceberg-feed.md). Its own publication, read by its own replication slot and Debezium
-- connector, beside the outbox's (payment_outbox_debezium): each publication lists only its table.
-- REPLICA IDENTITY FULL: an update or a delete carries the line's old values, so a line that a
-- re-imported report prunes (pruneSettlementBatch) reaches the table as a complete 'd' row, not as a
-- bare key. The table is small and rarely changed, so the extra WAL is negligible.
ALTER TABLE psp_settlement REPLICA IDENTITY FULL;
CREATE PUBLICATION psp_settlement_cdc FOR TABLE psp_settlement WITH (publish = 'insert, update, delete');
