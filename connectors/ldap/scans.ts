// Paged scans that survive being resumed anywhere. A cursor is plain JSON, `{scan, delivered}`:
// the id of a scan this process may hold and how many entries the caller has received from it.
// The scan is continued only when it lives here, is healthy and stands exactly at `delivered`
// (an attempt that read further and then failed, e.g. its stage, left it ahead). Otherwise the
// resource is scanned again from the beginning and everything up to and past `delivered` is
// handed out again: the server's order is not guaranteed across searches, so skipping the first
// `delivered` entries could skip some for good, while re-staging them is idempotent. Reading past
// `delivered` before returning guarantees progress even when every batch lands on another worker.
import type { Entry } from 'ldapts';
import type { PagedScan, ScanSpec } from './paged';

export interface ScanCursor {
  scan: string;
  delivered: number;
}

export interface ScanStep {
  entries: Entry[];
  /** True only when the server ended the scan (empty cookie). */
  final: boolean;
  /** Where the next call goes on; meaningful when not final. */
  cursor: ScanCursor;
  restarted: boolean;
}

/** Idle scans hold a connection and server-side state; past this they are closed. */
const IDLE_MS = 15 * 60_000;
const MAX_SCANS = 16;

export class ScanRegistry {
  private readonly scans = new Map<string, PagedScan>();

  constructor(private readonly start: (key: string, spec: ScanSpec) => Promise<PagedScan>) {}

  /** True when `cursor` can be continued by the scan this process holds. */
  canContinue(key: string, cursor: ScanCursor | null): boolean {
    if (!cursor) return false;
    const scan = this.scans.get(cursor.scan);
    return !!scan && scan.key === key && scan.healthy && !scan.busy && scan.position === cursor.delivered;
  }

  /** The next page of `key`'s scan, or a new scan read past `cursor.delivered` (see above). */
  async step(key: string, spec: ScanSpec, cursor: ScanCursor | null): Promise<ScanStep> {
    if (this.canContinue(key, cursor)) {
      const scan = this.scans.get(cursor!.scan)!;
      const page = await this.guard(scan, () => scan.next());
      return { ...page, cursor: { scan: scan.id, delivered: scan.position }, restarted: false };
    }
    if (cursor) await this.drop(cursor.scan);
    await this.evict();
    const scan = await this.start(key, spec);
    this.scans.set(scan.id, scan);
    const past = cursor?.delivered ?? 0;
    const entries: Entry[] = [];
    const final = await this.guard(scan, async () => {
      for (;;) {
        const page = await scan.next();
        for (const e of page.entries) entries.push(e);
        if (page.final || scan.position > past) return page.final;
      }
    });
    return { entries, final, cursor: { scan: scan.id, delivered: scan.position }, restarted: true };
  }

  async closeAll(): Promise<void> {
    const all = [...this.scans.keys()];
    await Promise.all(all.map((id) => this.drop(id)));
  }

  /** Runs one use of a scan; a failed or finished scan is closed, so it is never continued. */
  private async guard<T>(scan: PagedScan, use: () => Promise<T>): Promise<T> {
    scan.busy = true;
    try {
      const out = await use();
      if (!scan.healthy) await this.drop(scan.id);
      return out;
    } catch (e) {
      await this.drop(scan.id);
      throw e;
    } finally {
      scan.busy = false;
    }
  }

  private async drop(id: string): Promise<void> {
    const scan = this.scans.get(id);
    if (!scan) return;
    this.scans.delete(id);
    await scan.close();
  }

  private async evict(): Promise<void> {
    const now = Date.now();
    for (const [id, s] of this.scans) if (!s.busy && now - s.lastUsed > IDLE_MS) await this.drop(id);
    const idle = [...this.scans.values()].filter((s) => !s.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.scans.size >= MAX_SCANS && idle.length) await this.drop(idle.shift()!.id);
  }
}

/** Reads a cursor written by this module; anything else (an older format) means "from the start". */
export function parseScanCursor(value: unknown): ScanCursor | null {
  if (!value || typeof value !== 'object') return null;
  const c = value as Record<string, unknown>;
  if (typeof c.scan === 'string' && typeof c.delivered === 'number' && Number.isInteger(c.delivered) && c.delivered >= 0) return { scan: c.scan, delivered: c.delivered };
  return { scan: '', delivered: 0 };
}
