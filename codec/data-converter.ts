// The data converter every client and worker connection uses: the default one, plus the
// AES-GCM codec when keys are configured. Codecs run outside the workflow sandbox, so the
// workflow bundle is the same with or without encryption.
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm';
import { codecKeysFrom, type CodecKeys } from './keys';

export function tigerDataConverter(keys: CodecKeys | undefined = codecKeysFrom()): DataConverter {
  return keys ? { payloadCodecs: [new AesGcmCodec(keys)] } : {};
}
