import type { PoolClient, Queryable } from "./pool.ts";
import { type Statement, withWrites } from "./statement.ts";

const PENDING = Symbol("pending writes");

type WriteBehindClient = PoolClient & { [PENDING]: { held: Statement[]; flush(): Promise<void> } };

/**
 * A transaction's client that holds back writes whose result nobody reads (see `write`), and sends them
 * with the next statement, or hands them to the caller to send with its last (`takePending`), as
 * data-modifying CTEs: a settlement's attempt update, outbox rows and reply go as one round trip instead
 * of one each. Any other query first sends what is held, on its own, so a read sees every earlier write.
 * A held write that fails, fails the statement that carries it, inside the same transaction. Whoever
 * wraps a client must send what is held (takePending into its last statement, or any query) before
 * COMMIT on the unwrapped client, or those writes are lost: processors/command-transaction.ts does.
 */
export function writeBehind(client: PoolClient): PoolClient {
  const held: Statement[] = [];
  const flush = async () => {
    const writes = held.splice(0);
    const last = writes.pop();
    if (last) await client.query(withWrites(writes, last));
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === PENDING) return { held, flush };
      if (prop === "query") {
        return async (...args: unknown[]) => {
          await flush();
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function isWriteBehind(db: Queryable): db is WriteBehindClient {
  return (db as Partial<WriteBehindClient>)[PENDING] !== undefined;
}

/**
 * Runs `statement`, a write whose result is not needed (no RETURNING, no row count). On a writeBehind
 * client it is held and sent with a later statement; two updates of the same kind (which may touch the
 * same row, and one statement must not change a row twice) are never held together. The statement must
 * not begin with its own WITH.
 */
export async function write(db: Queryable, statement: Statement): Promise<void> {
  if (!isWriteBehind(db)) {
    await db.query(statement);
    return;
  }
  const { held, flush } = db[PENDING];
  const isUpdate = /^\s*UPDATE\b/i.test(statement.text);
  if (isUpdate && held.some((p) => p.name === statement.name)) await flush();
  held.push(statement);
}

/** The writes a writeBehind client holds, for the caller to send with its own last statement. */
export function takePending(db: Queryable): Statement[] {
  return isWriteBehind(db) ? db[PENDING].held.splice(0) : [];
}
