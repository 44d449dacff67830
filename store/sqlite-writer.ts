// The store's page writer on a thread of its own (sqlite-writer-thread.ts). Staging and applying a
// page, and the deletion step's whole-table count and sweep, are synchronous SQLite work: on the
// worker's JavaScript thread they held up its HTTP reads and workflow tasks for as long as they ran
// (an apply of 20,000 links: tens of milliseconds, each time). The thread has its own connection
// to the same file and serves requests one at a time in the order sent, as SQLite's one writer
// would anyway; the JavaScript thread keeps reading the next page meanwhile.
import { Worker } from 'node:worker_threads';
import { extname, join } from 'node:path';
import type { ApplyCounts, DeletionCandidates, LinkKind, ObjectKind } from './types';

type Kinds = (ObjectKind | LinkKind)[];
type Op =
  | { op: 'stage'; args: [stageKey: string, connector: string, payload: string, runId: string | null] }
  | { op: 'apply'; args: [stageKey: string, connector: string, runId: string] }
  | { op: 'countUnseen' | 'deleteUnseen'; args: [connector: string, runId: string, kinds: Kinds] };
export type WriterRequest = Op & { id: number };
export type WriterReply = { id: number; result?: unknown; error?: { message: string; name: string; code?: string } };

export class SqliteWriter {
  private thread: Worker | null = null;
  private exited: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly file: string) {}

  stage(stageKey: string, connector: string, payload: string, runId: string | null): Promise<void> {
    return this.call({ op: 'stage', args: [stageKey, connector, payload, runId] }) as Promise<void>;
  }

  apply(stageKey: string, connector: string, runId: string): Promise<ApplyCounts> {
    return this.call({ op: 'apply', args: [stageKey, connector, runId] }) as Promise<ApplyCounts>;
  }

  countUnseen(connector: string, runId: string, kinds: Kinds): Promise<DeletionCandidates[]> {
    return this.call({ op: 'countUnseen', args: [connector, runId, kinds] }) as Promise<DeletionCandidates[]>;
  }

  deleteUnseen(connector: string, runId: string, kinds: Kinds): Promise<number> {
    return this.call({ op: 'deleteUnseen', args: [connector, runId, kinds] }) as Promise<number>;
  }

  /** Lets requests already sent finish, then closes the thread's connection. */
  async close(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    thread.ref();
    thread.postMessage({ op: 'close' });
    await this.exited;
  }

  private call(op: Op): Promise<unknown> {
    const thread = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only while it has work does the thread keep the process alive.
      if (this.pending.size === 1) thread.ref();
      thread.postMessage({ id, ...op } satisfies WriterRequest);
    });
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const fromSources = extname(__filename) === '.ts';
    const entry = join(__dirname, `sqlite-writer-thread${extname(__filename)}`);
    // Run from the TypeScript sources (tests, `tsx`), the thread loads them the same way.
    const thread = fromSources
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`, { eval: true, workerData: { file: this.file } })
      : new Worker(entry, { workerData: { file: this.file } });
    thread.on('message', (m: WriterReply) => {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) thread.unref();
      if (m.error) waiting.reject(Object.assign(new Error(m.error.message), { name: m.error.name, ...(m.error.code ? { code: m.error.code } : {}) }));
      else waiting.resolve(m.result);
    });
    let failure: Error | null = null;
    thread.on('error', (err) => (failure = new Error(`the SQLite writer thread failed: ${err.message}`)));
    this.exited = new Promise((resolve) =>
      thread.once('exit', (code) => {
        if (this.thread === thread) this.thread = null;
        // A thread that died (out of memory, a native crash) fails what it held; the next
        // request starts a new one, and a retried activity finds its page still staged.
        const why = failure ?? new Error(`the SQLite writer thread for ${this.file} exited (code ${code}) before answering`);
        for (const [id, waiting] of this.pending) {
          this.pending.delete(id);
          waiting.reject(why);
        }
        resolve();
      }),
    );
    thread.unref();
    this.thread = thread;
    return thread;
  }
}
