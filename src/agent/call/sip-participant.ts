import type { Language } from '../config.js';
import { ParticipantKind, RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';

export const SIP_ATTR = {
  callId: 'sip.callID',
  callStatus: 'sip.callStatus',
  phoneNumber: 'sip.phoneNumber',
  trunkId: 'sip.trunkID',
  trunkPhoneNumber: 'sip.trunkPhoneNumber',
} as const;

/**
 * The caller's number as LiveKit gives it: `sip.phoneNumber`, or, when the dispatch rule hides it,
 * the user part of the From header mapped to `fromAttribute` (`"Name" <sip:+32…@host>;tag=…`).
 * Undefined for a withheld caller. Never log the result: pseudonymise it.
 */
export function callerNumber(
  attributes: Record<string, string>,
  fromAttribute: string,
): string | undefined {
  const direct = attributes[SIP_ATTR.phoneNumber];
  if (direct) return direct;
  const from = attributes[fromAttribute];
  if (!from) return undefined;
  const uri = /<([^>]*)>/.exec(from)?.[1] ?? from.split(';')[0] ?? '';
  return /^(?:sips?|tel):([^@;>]+)/i.exec(uri.trim())?.[1];
}

/** Resolves with the room's SIP participant (the caller), waiting for it to join if needed. */
export function waitForSipParticipant(
  room: Room,
  signal?: AbortSignal,
): Promise<RemoteParticipant> {
  const present = [...room.remoteParticipants.values()].find(
    (p) => p.info.kind === ParticipantKind.SIP,
  );
  if (present) return Promise.resolve(present);
  return new Promise((resolve, reject) => {
    const onJoin = (p: RemoteParticipant) => {
      if (p.info.kind !== ParticipantKind.SIP) return;
      room.off(RoomEvent.ParticipantConnected, onJoin);
      resolve(p);
    };
    room.on(RoomEvent.ParticipantConnected, onJoin);
    signal?.addEventListener('abort', () => {
      room.off(RoomEvent.ParticipantConnected, onJoin);
      reject(new Error('aborted while waiting for the SIP participant'));
    });
  });
}

/**
 * livekit-sip keeps the caller's leg ringing until it has subscribed to an audio track of the
 * agent's, then answers and sets `sip.callStatus=active`. Speaking before that would be lost.
 */
export function waitForCallActive(
  room: Room,
  participant: RemoteParticipant,
  timeoutMs: number,
): Promise<boolean> {
  if (participant.attributes[SIP_ATTR.callStatus] === 'active') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (active: boolean) => {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantAttributesChanged, onChange);
      room.off(RoomEvent.ParticipantDisconnected, onLeave);
      resolve(active);
    };
    const onChange = (
      _changed: Record<string, string>,
      p: { identity: string; attributes: Record<string, string> },
    ) => {
      if (p.identity === participant.identity && p.attributes[SIP_ATTR.callStatus] === 'active')
        done(true);
    };
    const onLeave = (p: RemoteParticipant) => {
      if (p.identity === participant.identity) done(false);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    room.on(RoomEvent.ParticipantAttributesChanged, onChange);
    room.on(RoomEvent.ParticipantDisconnected, onLeave);
  });
}

/** Resolves when the given participant leaves the room (the caller hung up). */
export function waitForHangup(room: Room, participant: RemoteParticipant): Promise<void> {
  return new Promise((resolve) => {
    const onLeave = (p: RemoteParticipant) => {
      if (p.identity !== participant.identity) return;
      room.off(RoomEvent.ParticipantDisconnected, onLeave);
      resolve();
    };
    room.on(RoomEvent.ParticipantDisconnected, onLeave);
  });
}

/** The caller's likely language from the country code; Belgium (nl/fr/de) keeps the line's default. */
export function languageForNumber(e164: string | undefined, fallback: Language): Language {
  if (!e164) return fallback;
  if (/^\+(33|352|377)/.test(e164)) return 'fr';
  if (/^\+31/.test(e164)) return 'nl';
  if (/^\+(49|43|423)/.test(e164)) return 'de';
  if (/^\+(44|1|353)/.test(e164)) return 'en';
  return fallback;
}
