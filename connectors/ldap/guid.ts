// AD objectGUID: 16 bytes whose first three fields are little-endian (MS-DTYP GUID layout).

export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID must be 16 bytes, got ${bytes.length}`);
  const h = bytes.toString('hex');
  const le = (s: string): string => s.match(/../g)!.reverse().join('');
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function guidToBytes(guid: string): Buffer {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid);
  if (!m) throw new Error(`"${guid}" is not a GUID`);
  const le = (s: string): string => s.match(/../g)!.reverse().join('');
  return Buffer.from(le(m[1]) + le(m[2]) + le(m[3]) + m[4] + m[5], 'hex');
}
