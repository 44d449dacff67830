// One server-side paged search (RFC 2696) on a connection of its own, page by page.
//
// Why not ldapts's searchPaginated: it ends its iterator both on the final page and on any page
// that happens to hold no entries, and it never shows the cookie, so "the server said this is the
// last page" cannot be told from "the iterator stopped". Taking an early stop for the end of a scan
// makes the unread rest look deleted. Here a scan is finished only when the server answered with
// an empty cookie; anything else is a page with more to come or an error.
//
// Why a connection of its own: OpenLDAP keeps one paged search per connection, so any other paged
// search on a shared connection (the DN index, another resource) would invalidate this one's cookie.
import { Control, FilterParser, PagedResultsControl, SearchRequest, StatusCodeParser, type Client, type Entry, type SearchOptions } from 'ldapts';
import type { SearchResponse } from 'ldapts';

export interface ScanSpec {
  base: string;
  options: SearchOptions;
  controls?: Control[];
}

/** The ldapts internals one paged request needs (ldapts 8: Client#_nextMessageId and #_send). */
interface ClientInternals {
  _nextMessageId(): number;
  _send(message: SearchRequest): Promise<SearchResponse | undefined>;
}

export class PagedScan {
  private cookie: Buffer | undefined;
  private finished = false;
  private broken = false;
  /** Entries handed out so far, counted across pages. */
  position = 0;
  busy = false;
  lastUsed = Date.now();

  constructor(
    readonly id: string,
    readonly key: string,
    private readonly client: Client,
    private readonly spec: ScanSpec,
    private readonly pageSize: number,
  ) {}

  /** Usable for the next page: its connection is up and no request of it has failed. */
  get healthy(): boolean {
    return !this.broken && !this.finished && this.client.isConnected;
  }

  /** The next page; `final` is true only when the server sent the empty cookie that ends the scan. */
  async next(): Promise<{ entries: Entry[]; final: boolean }> {
    if (!this.healthy) throw new Error('paged search is no longer usable');
    this.lastUsed = Date.now();
    const { options } = this.spec;
    const paged = new PagedResultsControl({ value: { size: this.pageSize, cookie: this.cookie } });
    const req = new SearchRequest({
      messageId: -1,
      baseDN: this.spec.base,
      scope: options.scope,
      filter: typeof options.filter === 'string' ? FilterParser.parseString(options.filter) : (options.filter ?? FilterParser.parseString('(objectClass=*)')),
      attributes: options.attributes,
      explicitBufferAttributes: options.explicitBufferAttributes,
      timeLimit: options.timeLimit,
      controls: [...(this.spec.controls ?? []), paged],
    });
    const internals = this.client as unknown as ClientInternals;
    if (typeof internals._send !== 'function' || typeof internals._nextMessageId !== 'function') {
      // package.json pins ldapts exactly for this; an upgrade that renames them must fail loudly, not read nothing.
      throw new Error('this ldapts version lacks the internals paged scans use (Client#_send, #_nextMessageId); pin ldapts 8.2.0');
    }
    try {
      req.messageId = internals._nextMessageId();
      const res = await internals._send(req);
      if (res?.status !== 0) throw StatusCodeParser.parse(res);
      const entries = res.searchEntries.map((e) => e.toObject(req.attributes, req.explicitBufferAttributes));
      const answer = res.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
      if (!answer) throw new Error('the server answered a paged search without the paged-results control');
      this.cookie = answer.value?.cookie?.length ? answer.value.cookie : undefined;
      this.finished = !this.cookie;
      this.position += entries.length;
      return { entries, final: this.finished };
    } catch (e) {
      this.broken = true;
      throw e;
    } finally {
      this.lastUsed = Date.now();
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.client.unbind().catch(() => undefined);
  }
}
