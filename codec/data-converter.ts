// The data converter every client and worker connection uses: the default one, plus the
// AES-GCM codec and a failure converter that hands failure messages to it when keys are
// configured. Codecs run outside the workflow sandbox, so the workflow bundle is the same with or
// without encryption: failures are written by activities (in the worker's main thread), and a
// workflow that fails with an activity's failure passes on the one it received, still encoded.
import type { DataConverter } from '@temporalio/common';
import { join } from 'node:path';
import { packageRoot } from '../runtime/paths';
import { AesGcmCodec } from './aes-gcm';
import { codecKeysFrom, type CodecKeys } from './keys';

/** The source file also when running from dist/: it is plain CommonJS (see the file). */
const failureConverterPath = (): string => join(packageRoot(), 'codec', 'failure-converter.cjs');

export function tigerDataConverter(keys: CodecKeys | undefined = codecKeysFrom()): DataConverter {
  return keys ? { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath: failureConverterPath() } : {};
}
