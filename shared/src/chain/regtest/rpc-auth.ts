/**
 * RPC authentication as bitcoind does it: HTTP basic auth against a configured user and password
 * (`-rpcuser`/`-rpcpassword`) and/or a cookie file holding `__cookie__:<64 random hex digits>`
 * (`.cookie`, mode 0600, deleted on shutdown). With neither configured, a cookie is generated and
 * kept in memory only, so the server is never open. Comparisons take constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rm, writeFile, rename } from 'node:fs/promises';
import { sha256 } from '../../bitcoin/hash.js';
import { toHex } from '../../bytes.js';
import { ValidationError } from '../../errors.js';

export const COOKIE_USER = '__cookie__';

export interface RpcCredentials {
  readonly user: string;
  readonly password: string;
}

export interface RpcAuthOptions {
  readonly user?: string;
  readonly password?: string;
  /** Where to write a fresh cookie (bitcoind's `<datadir>/regtest/.cookie`). */
  readonly cookieFile?: string;
}

export class RpcAuth {
  private constructor(
    private readonly accepted: readonly RpcCredentials[],
    private readonly cookieFile: string | undefined,
  ) {}

  /** Validates `options`, writing the cookie file when one is asked for. */
  static async create(options: RpcAuthOptions = {}): Promise<RpcAuth> {
    const accepted: RpcCredentials[] = [];
    if (options.user !== undefined || options.password !== undefined) {
      accepted.push(checkedCredentials(options.user, options.password));
    }
    if (options.cookieFile !== undefined || accepted.length === 0) {
      const cookie = { user: COOKIE_USER, password: toHex(randomBytes(32)) };
      if (options.cookieFile !== undefined) await writeCookie(options.cookieFile, cookie);
      accepted.push(cookie);
    }
    return new RpcAuth(accepted, options.cookieFile);
  }

  /** Credentials a client may use: the configured user first, else the cookie. */
  get credentials(): RpcCredentials {
    return this.accepted[0]!;
  }

  /** True when the `Authorization` header carries accepted basic credentials. */
  check(authorization: string | undefined): boolean {
    if (authorization === undefined || !authorization.startsWith('Basic ')) return false;
    const decoded = Buffer.from(authorization.slice('Basic '.length).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Every candidate is compared in full, so timing tells nothing about which part matched.
    let ok = false;
    for (const c of this.accepted) ok = (sameSecret(user, c.user) && sameSecret(password, c.password)) || ok;
    return ok;
  }

  /** Deletes the cookie file, as bitcoind does on shutdown. */
  async dispose(): Promise<void> {
    if (this.cookieFile !== undefined) await rm(this.cookieFile, { force: true });
  }
}

function checkedCredentials(user: string | undefined, password: string | undefined): RpcCredentials {
  if (user === undefined || user.length === 0)
    throw new ValidationError('rpc.user', 'required with a password');
  if (user.includes(':')) throw new ValidationError('rpc.user', 'must not contain ":"');
  if (password === undefined || password.length === 0)
    throw new ValidationError('rpc.password', 'required with a user');
  return { user, password };
}

function sameSecret(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  return timingSafeEqual(sha256(encoder.encode(a)), sha256(encoder.encode(b)));
}

/** Writes the cookie to a temporary file readable by the owner only, then renames it into place. */
async function writeCookie(path: string, cookie: RpcCredentials): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${cookie.user}:${cookie.password}`, { mode: 0o600 });
  await rename(temporary, path);
}
