// Registered on the dev server at start (scripts/temporal.ts) and documented for production, so
// the Temporal UI can filter runs: `TigerConnector = "okta-production"`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TigerConnector = defineSearchAttributeKey('TigerConnector', SearchAttributeType.KEYWORD);
export const TigerConnectorType = defineSearchAttributeKey('TigerConnectorType', SearchAttributeType.KEYWORD);
export const TigerSyncMode = defineSearchAttributeKey('TigerSyncMode', SearchAttributeType.KEYWORD);
export const TigerTrigger = defineSearchAttributeKey('TigerTrigger', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [TigerConnector, TigerConnectorType, TigerSyncMode, TigerTrigger];
