/**
 * The monitor's identity key (table `monitor_identity`): generated on first start and kept for
 * good, since tenants pin its public key (their Hellos sign over it) and verify receipts with it.
 * The secret stays in this process: it is never logged and never leaves through the API.
 */
import { randomBytes } from 'node:crypto';
import { pubkeyFromPrivkey, validatePrivkey } from '@vigil/shared/bitcoin/secp256k1';
import type { SqlHandle } from '@vigil/shared/db/database';
import { ValidationError } from '@vigil/shared/errors';

export interface MonitorIdentity {
  readonly secretKey: Uint8Array;
  /** 33-byte compressed public key: the monitor id. */
  readonly publicKey: Uint8Array;
}

async function readIdentity(sql: SqlHandle): Promise<MonitorIdentity | undefined> {
  const [row] = await sql<{ secret_key: Uint8Array; public_key: Uint8Array }[]>`
    SELECT secret_key, public_key FROM monitor_identity WHERE id = 1`;
  return row && { secretKey: new Uint8Array(row.secret_key), publicKey: new Uint8Array(row.public_key) };
}

/** 32 random bytes that are a valid private key (a value outside [1, n-1] has odds of about 2^-128). */
function newSecretKey(): Uint8Array {
  for (;;) {
    const candidate = new Uint8Array(randomBytes(32));
    try {
      return validatePrivkey(candidate, 'identity.secretKey');
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
    }
  }
}

/** The stored identity, or a new one stored first. */
export async function loadOrCreateIdentity(sql: SqlHandle): Promise<MonitorIdentity> {
  const stored = await readIdentity(sql);
  if (stored !== undefined) return stored;
  const secretKey = newSecretKey();
  await sql`
    INSERT INTO monitor_identity (id, secret_key, public_key)
    VALUES (1, ${secretKey}, ${pubkeyFromPrivkey(secretKey)})
    ON CONFLICT (id) DO NOTHING`;
  // A worker starting at the same time may have inserted first: the stored row is the identity.
  return (await readIdentity(sql))!;
}
