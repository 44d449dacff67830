// Opens one SQL connector: the context (pool and plan, made at first use) and the read-side
// operations its manifest declares.

import type { ConnectorOps } from '../framework/spi';
import type { SqlConfig } from './config';
import { createContext } from './context';
import { currentWatermark, readChanges } from './delta';
import { getById, readPage, testSql } from './read';

/** `config` is parsed by sqlConfigSchema and reference-resolved (the connection string holds
 *  the password). */
export function openSql(name: string, config: SqlConfig): ConnectorOps {
  const ctx = createContext(name, config);
  return {
    test: () => testSql(ctx),
    readPage: (cls, cursor) => readPage(ctx, cls, cursor),
    getById: (cls, id) => getById(ctx, cls, id),
    currentWatermark: (classes) => currentWatermark(ctx, classes),
    readChanges: (classes, watermark, cursor) => readChanges(ctx, classes, watermark, cursor),
    close: () => ctx.close(),
  };
}
