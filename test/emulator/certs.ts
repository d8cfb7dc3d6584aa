import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** An RS256 signing key with the JWK that publishes it. */
export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: Record<string, string>
}

export interface TlsMaterial {
  cert: string
  key: string
}

const generateKeys = promisify(generateKeyPair)

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeys('rsa', { modulusLength: 2048 })
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, string>
  // RFC 7638 thumbprint, as real issuers use a stable kid per key.
  const thumb = JSON.stringify({ e: exported.e, kty: exported.kty, n: exported.n })
  const kid = createHash('sha256').update(thumb).digest('base64url')
  return { kid, privateKey, publicKey, jwk: { ...exported, kid, use: 'sig', alg: 'RS256' } }
}

export interface KeyMaterial {
  github: SigningKey
  entra: SigningKey
  tls: TlsMaterial
}

let shared: Promise<KeyMaterial> | undefined

/**
 * Keys and the TLS certificate are generated once per process and shared by every emulator it starts:
 * RSA key generation is the slowest part of start-up, and tests start many emulators.
 */
export function keyMaterial(): Promise<KeyMaterial> {
  shared ??= (async () => {
    const [github, entra, tls] = await Promise.all([
      newSigningKey(),
      newSigningKey(),
      selfSignedCertificate()
    ])
    return { github, entra, tls }
  })()
  return shared
}

// Minimal DER encoding, enough for one self-signed certificate. Building it here instead of loading an
// X.509 library keeps start-up fast (that library's import alone took 120–300 ms).
const length = (n: number): Buffer =>
  n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff])
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts)
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const bytes = [a! * 40 + b!]
  for (const n of rest) {
    const chunk = [n & 0x7f]
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const octets = (b: Buffer): Buffer => tlv(0x04, b)
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b)
const utcTime = (d: Date): Buffer =>
  tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'))
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

/** An EC P-256 self-signed certificate for 127.0.0.1 and localhost that is its own CA. */
export async function selfSignedCertificate(): Promise<TlsMaterial> {
  const { privateKey, publicKey } = await generateKeys('ec', { namedCurve: 'P-256' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'))
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from('Entra emulator 127.0.0.1')))))
  const serial = randomBytes(16)
  // A DER INTEGER is minimal and positive: a first byte of 0x40–0x7f is never a padding zero nor a sign bit (a 0x00
  // first byte before one under 0x80 is "illegal padding", which failed about one start-up in 256).
  serial[0] = (serial[0]! & 0x3f) | 0x40
  const now = Date.now()
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ecdsaSha256,
    name,
    seq(utcTime(new Date(now - 24 * 3600 * 1000)), utcTime(new Date(now + 30 * 24 * 3600 * 1000))),
    name,
    spki,
    tlv(
      0xa3,
      seq(
        extension('2.5.29.19', true, seq(bool(true))),
        // digitalSignature (bit 0) and keyCertSign (bit 5)
        extension('2.5.29.15', true, bits(Buffer.from([0x84]), 2)),
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
        extension(
          '2.5.29.17',
          false,
          seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost')))
        ),
        extension('2.5.29.14', false, octets(createHash('sha1').update(spki).digest()))
      )
    )
  )
  const der = seq(tbs, ecdsaSha256, bits(sign('sha256', tbs, privateKey)))
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n')
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${body.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  }
}

/** Writes the self-signed certificate (its own CA) where NODE_EXTRA_CA_CERTS can point. */
export async function writeCaFile(cert: string): Promise<{ caFile: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-emulator-'))
  const caFile = join(dir, 'ca.pem')
  await writeFile(caFile, cert)
  return { caFile, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
