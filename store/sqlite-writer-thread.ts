// The thread sqlite-writer.ts starts: one connection to the store's file, serving its requests
// (stage, apply, the deletion step's count and sweep) one at a time, in the order sent.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite-connection';
import { SqlitePages } from './sqlite-pages';
import type { WriterReply, WriterRequest } from './sqlite-writer';

const port = parentPort!;
const { file } = workerData as { file: string };
/** Upserts arrive grouped by parent, so the b-trees' inner pages and the current leaves are what
 *  stays hot: 8 MB applied the 1.5M-record bench as fast as 16 MB, 8 MB nearer the worker's
 *  memory goal (README, benchmarks). */
const WRITER_CACHE_MB = 8;

function open() {
  try {
    return openSqlite(file, WRITER_CACHE_MB);
  } catch (err) {
    // A plain Error crosses to the parent thread with its message; SQLite's own error class does not.
    throw new Error(`cannot open ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const db = open();
const pages = new SqlitePages(db);

function run(m: WriterRequest): unknown {
  switch (m.op) {
    case 'stage':
      return pages.stage(...m.args);
    case 'apply':
      return pages.apply(...m.args);
    case 'countUnseen':
      return pages.countUnseen(...m.args);
    case 'deleteUnseen':
      return pages.deleteUnseen(...m.args);
  }
}

port.on('message', (m: WriterRequest | { op: 'close' }) => {
  if (m.op === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { id: m.id, result: run(m) };
  } catch (err) {
    const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: unknown };
    reply = { id: m.id, error: { message: e.message, name: e.name, ...(typeof e.code === 'string' ? { code: e.code } : {}) } };
  }
  port.postMessage(reply);
});
