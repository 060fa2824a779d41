/**
 * The offsets of one assigned partition, in fetch order. Messages complete in any order, but the commit
 * point only moves over a contiguous run of completed messages: a crash never skips an unfinished one.
 * Contiguity follows the fetched sequence, not offset + 1, because Kafka offsets may have gaps.
 */
export class PartitionOffsets {
  private pending: bigint[] = [];
  private head = 0;
  private readonly completed = new Set<bigint>();
  private lastReceived: bigint | null = null;
  private next: bigint | null = null;
  private committed: bigint | null = null;

  /** Tracks a fetched message; false when it is already tracked (the caller must not run it twice). */
  received(offset: bigint): boolean {
    if (this.lastReceived !== null && offset <= this.lastReceived) return false;
    this.lastReceived = offset;
    this.pending.push(offset);
    return true;
  }

  complete(offset: bigint): void {
    this.completed.add(offset);
    while (this.head < this.pending.length) {
      const first = this.pending[this.head] as bigint;
      if (!this.completed.delete(first)) break;
      this.next = first + 1n;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** Messages fetched and not yet completed. */
  get inFlight(): number {
    return this.pending.length - this.head;
  }

  /** The offset to commit (the next one to consume), or null when nothing new has become committable. */
  commitPoint(): bigint | null {
    return this.next !== null && this.next !== this.committed ? this.next : null;
  }

  markCommitted(offset: bigint): void {
    if (this.committed === null || offset > this.committed) this.committed = offset;
  }
}
