/**
 * Where a channel hands its monitor records (DESIGN.md "The monitor protocol", rule 4), after LDK's
 * `chain::Watch`: the initial `ChannelMonitor` when the funding is signed, then every
 * `ChannelMonitorUpdate`. The manager's `RemoteWatch` writes each to its outbox and answers at once;
 * `inProgress` means not yet durable on a quorum of monitors, and the channel is told later through
 * `Channel.monitorUpdateCompleted(updateId)` (the initial watch is update 0).
 *
 * An implementation must not call back into the channel from these methods: completion that is
 * already known is answered `completed`.
 */
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';

export type UpdateStatus = 'completed' | 'inProgress';

export interface ChannelWatch {
  watchChannel(init: ChannelMonitorInit): UpdateStatus;
  updateChannel(update: ChannelMonitorUpdate): UpdateStatus;
}

/** `updateId` of the initial watch in `monitorUpdateCompleted`: updates proper start at 1. */
export const INITIAL_WATCH_ID = 0;
