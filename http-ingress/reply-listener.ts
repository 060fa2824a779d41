import pg from "pg";
import type { CommandResult } from "../core/domain/command-result.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import {
  COMMAND_RESULT_CHANNEL,
  findCommandResult,
  findCommandResults,
  parseResultNotification,
} from "../db/repositories/commands-repo.ts";

export interface ReplyListenerOptions {
  connectionString: string;
  pool: Pool;
  logger: Logger;
  /** Command ids someone is waiting for right now. */
  pending: () => string[];
  isPending: (commandId: string) => boolean;
  deliver: (commandId: string, reply: CommandResult) => void;
  pollIntervalMs?: number;
  reconnectDelayMs?: number;
}

/**
 * Learns about processor replies. One dedicated connection LISTENs for the processor's NOTIFY
 * (instant); a poll over all pending command ids covers notifications lost while that
 * connection was down, so a reply is at most one poll interval late, never missed.
 */
export class ReplyListener {
  private client: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private stopped = false;

  constructor(private readonly opts: ReplyListenerOptions) {}

  get listening(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollIntervalMs ?? 500);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.connectionString });
    client.on("notification", (msg) => {
      if (msg.payload) this.notified(msg.payload);
    });
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN "${COMMAND_RESULT_CHANNEL}"`);
    this.client = client;
    // Anything committed while we were not listening is picked up now rather than at the next tick.
    void this.poll();
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.opts.logger.warn({ err: err?.message }, "reply listener connection lost; polling until it is back");
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((err: Error) => {
        this.opts.logger.warn({ err: err.message }, "reply listener reconnect failed");
        this.scheduleReconnect();
      });
    }, this.opts.reconnectDelayMs ?? 1_000);
    this.reconnectTimer.unref();
  }

  /** The reply itself when the notification carries it; otherwise it is read from the table. */
  private notified(payload: string): void {
    let parsed: ReturnType<typeof parseResultNotification>;
    try {
      parsed = parseResultNotification(payload);
    } catch (err) {
      this.opts.logger.warn(
        { err: (err as Error).message },
        "unreadable reply notification; the poll covers it",
      );
      return;
    }
    if (!this.opts.isPending(parsed.commandId)) return;
    let reply: CommandResult | null = null;
    try {
      reply = parsed.reply();
    } catch (err) {
      this.opts.logger.warn(
        { err: (err as Error).message },
        "unreadable reply in a notification; reading the table",
      );
    }
    if (reply) this.opts.deliver(parsed.commandId, reply);
    else void this.fetchOne(parsed.commandId);
  }

  private async fetchOne(commandId: string): Promise<void> {
    if (!this.opts.isPending(commandId)) return;
    try {
      const reply = await findCommandResult(this.opts.pool, commandId);
      if (reply) this.opts.deliver(commandId, reply);
    } catch (err) {
      this.opts.logger.warn(
        { err: (err as Error).message },
        "reading a command reply failed; the poll will retry",
      );
    }
  }

  private async poll(): Promise<void> {
    const ids = this.opts.pending();
    if (this.polling || ids.length === 0) return;
    this.polling = true;
    try {
      const replies = await findCommandResults(this.opts.pool, ids);
      for (const [commandId, reply] of replies) this.opts.deliver(commandId, reply);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, "polling command replies failed");
    } finally {
      this.polling = false;
    }
  }
}
