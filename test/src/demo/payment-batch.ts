/**
 * Several payments in one commitment round (BOLT 2 "Normal Operation"), as a busy node makes them:
 * the payer adds one HTLC per payment and signs them all in one `commitment_signed`; once both
 * sides revoked their old commitments, the payee fulfils every HTLC and signs once more. Like
 * `payFrozen` (frozen-channel.ts), A stays frozen on its RemoteWatch: nothing A sends depends on
 * an update its monitors have not persisted (`settle`).
 */
import { ONION, payment, type ChannelPair, type Peer } from '../fixtures/channel-pair.js';
import { type DurableFeed, settle } from '../fixtures/frozen-channel.js';

/** Far enough ahead that no HTLC nears expiry while the demo runs. */
const CLTV_EXPIRY = 800_000;

/**
 * `from` pays the other side each of `amountsMsat`, as payments `firstN`, `firstN + 1`, ...
 * (`payment(n)` gives each preimage); returns once both commitments are without the HTLCs and every
 * update of A's is durable.
 */
export async function payBatchFrozen(
  pair: ChannelPair,
  durable: DurableFeed,
  from: Peer,
  amountsMsat: readonly bigint[],
  firstN: number,
): Promise<void> {
  const payee = pair.other(from);
  const added = amountsMsat.map((amountMsat, i) => {
    const n = firstN + i;
    const id = from.channel.commitments!.localNextHtlcId;
    from.take(
      from.channel.addHtlc({
        amountMsat,
        paymentHash: payment(n).paymentHash,
        cltvExpiry: CLTV_EXPIRY,
        onionRoutingPacket: ONION,
        ref: `${n}`,
      }),
    );
    return { id, n };
  });
  from.take(from.channel.commit());
  await settle(pair, durable);
  for (const { id, n } of added) payee.take(payee.channel.fulfillHtlc(id, payment(n).preimage));
  payee.take(payee.channel.commit());
  await settle(pair, durable);
}
