/**
 * The `error` and `warning` messages, BOLT 1 "The `error` and `warning` Messages"
 * (01-messaging.md): a channel id (all zeroes means every channel with the peer) and free-form
 * `data`. An `error` fails the channel(s); a `warning` only reports.
 */
import { expectBytes, toHex } from '../../bytes.js';
import { channelId } from '../fundamental.js';
import { type MessageOf, defineMessage } from './message.js';
import { u16Bytes } from './types.js';

const fields = { channelId, data: u16Bytes };

export const errorMessage = defineMessage(17, 'error', fields);
export const warningMessage = defineMessage(1, 'warning', fields);

/** `error`: the channel(s) named are failed; `data` is usually text but need not be. */
export type ErrorMessage = MessageOf<typeof errorMessage>;
/** `warning`: something was wrong but the channel(s) stay open. */
export type Warning = MessageOf<typeof warningMessage>;

const FIRST_PRINTABLE = 32;
const LAST_PRINTABLE = 126;

/**
 * `data` in a form safe to log. BOLT 1 says not to print it verbatim unless it is all printable
 * ASCII (bytes 32 to 126): anything else could drive a terminal or forge log lines, so it is
 * shown as hex instead.
 */
export function describeErrorData(data: Uint8Array): string {
  expectBytes(data, 'data');
  const printable = data.every((b) => b >= FIRST_PRINTABLE && b <= LAST_PRINTABLE);
  return printable ? Buffer.from(data).toString('latin1') : `hex:${toHex(data)}`;
}
