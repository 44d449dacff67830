// How workflows read a failure: continue-as-new passes through untouched, anything else becomes
// the message a person sees (the activity's own message, not Temporal's wrapper).
import { ContinueAsNew } from '@temporalio/workflow';

export function isContinueAsNew(err: unknown): boolean {
  return err instanceof ContinueAsNew;
}

export function failureMessage(err: unknown): string {
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}
