// With the payload codec on, an activity's failure message is encrypted too: a target's error or a
// value that failed validation can name a person, and the server keeps that message in the history
// (ActivityTaskFailed) and in the pending activity's last failure the UI shows while it retries.
// The real sync workflow on the dev server, with scripted activities that fail naming a user.
import { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODING_ENCRYPTED } from '../../codec/aes-gcm';
import { tigerDataConverter } from '../../codec/data-converter';
import { parseCodecKeys } from '../../codec/keys';
import { uniqueName } from '../support/harness';
import { startStubRig, until, EventType, type StubRig } from '../support/stub-sync';

const key = `k1:${randomBytes(32).toString('base64')}`;
const EMAIL = 'zoë.ångström@example.com';
const LOGIN = 'zangstrom-7731';
let rig: StubRig;
let raw: Client;

beforeAll(async () => {
  rig = await startStubRig({ dataConverter: tigerDataConverter(parseCodecKeys(key)) });
  // What anyone reading the server without the key sees (the UI without the codec server).
  raw = new Client({ connection: rig.client.connection, namespace: 'default' });
});
afterAll(async () => {
  await rig?.close();
});

const rawText = (m: Uint8Array) => Buffer.from(m).toString('latin1');
const escaped = (s: string) => [s, Buffer.from(s, 'utf8').toString('latin1'), JSON.stringify(s).slice(1, -1)];

describe('failure messages under the payload codec', () => {
  it('an activity failure naming a user is encrypted in the history and in the retrying activity, and readable with the key', async () => {
    const name = uniqueName('codec-fail');
    let attempt = 0;
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    rig.script(name, {
      fetchBatch: async (a) => {
        if (a.resource !== 'users') throw new Error('only users here');
        attempt++;
        // First attempt: a retryable error (the server keeps it as the activity's last failure);
        // second: held until the test has looked; then the run fails for good.
        if (attempt === 1) throw ApplicationFailure.retryable(`target refused ${EMAIL} (login ${LOGIN}): 409 uniqueness`, 'TargetRejected');
        await gate;
        throw ApplicationFailure.nonRetryable(`value of ${EMAIL} failed validation (login ${LOGIN})`, 'ValidationError');
      },
    });
    const { handle, requestId } = await rig.start(name);
    const rawHandle = raw.workflow.getHandle(handle.workflowId);
    const checkPending = async () => {
      const pending = (await rawHandle.describe()).raw.pendingActivities ?? [];
      const retrying = pending.find((p) => p.activityType?.name === 'fetchBatch');
      expect(retrying?.lastFailure, 'the retrying activity carries its last failure').toBeTruthy();
      const pendingRaw = rawText(temporal.api.failure.v1.Failure.encode(retrying!.lastFailure!).finish());
      for (const s of [EMAIL, LOGIN].flatMap(escaped)) expect(pendingRaw.includes(s), `"${s}" in clear in the pending activity`).toBe(false);
      expect(retrying!.lastFailure!.message).toBe('Encoded failure');
    };

    await until(async () => attempt >= 2, 'the retry');
    // Released whatever the checks below find: a held activity would hold the rig's shutdown.
    try {
      await checkPending();
    } finally {
      release();
    }

    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('failed');
    // A holder of the key (the rig's client) reads the message as the activity wrote it.
    expect(summary.error).toContain(EMAIL);

    const history = await rawHandle.fetchHistory();
    const failed = (history.events ?? []).filter((e) => Number(e.eventType) === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) {
      const f = e.activityTaskFailedEventAttributes!.failure!;
      expect(f.message).toBe('Encoded failure');
      expect(f.stackTrace).toBe('');
      expect(Buffer.from(f.encodedAttributes!.metadata!.encoding!).toString()).toBe(ENCODING_ENCRYPTED);
    }
    const historyRaw = rawText(temporal.api.history.v1.History.encode(history).finish());
    for (const s of [EMAIL, LOGIN].flatMap(escaped)) expect(historyRaw.includes(s), `"${s}" in clear in the raw history`).toBe(false);
  });
});
