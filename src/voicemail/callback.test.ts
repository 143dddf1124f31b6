import { SIPOutboundTrunkInfo, SipCallError } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { encodeMark, objectName } from '../provisioning/ownership.js';
import { createLogger } from '../telemetry/index.js';
import {
  CallbackError,
  placeCallback,
  type CallbackClients,
  type CallbackTarget,
} from './callback.js';
import type { CallbackState, MessageStore, VoicemailMessage } from './types.js';

const NUMBER = '+32470123456';
const ID = 'vm_0123456789abcdef01234567';

const config: CallbackTarget = {
  deployment: 'sb-test',
  livekit: { url: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's' },
  agent: { name: 'helpdesk-agent' },
  voicemail: { callback: { trunk: 'callback', ringSeconds: 20 } },
};

/** A store holding one message; records the callback states written. */
function fakeStore(opts: { state?: CallbackState; number?: string; updatedAt?: string } = {}) {
  const recorded: string[] = [];
  const message: VoicemailMessage = {
    id: ID,
    callId: 'SCL_test',
    pseudonym: 'p_test',
    language: 'nl',
    text: 'Bel me terug over mijn afspraak.',
    reason: 'closed',
    createdAt: new Date().toISOString(),
    expiresAt: null,
    callback: { state: opts.state ?? 'requested', attempts: 0, updatedAt: opts.updatedAt ?? null },
    webhook: { deliveredAt: null, attempts: 0 },
  };
  const store = {
    get: async (id: string) => (id === ID ? message : undefined),
    callbackNumber: async (id: string) =>
      id === ID ? ('number' in opts ? opts.number : NUMBER) : undefined,
    recordCallback: async (_id: string, state: string) => {
      recorded.push(state);
    },
  } as unknown as MessageStore;
  return { store, recorded };
}

interface Calls {
  rooms: unknown[];
  deleted: string[];
  dispatches: unknown[];
  dials: unknown[];
}

/** LiveKit clients that record each call; `dial` decides how the call goes. */
function fakeClients(opts: { dial?: () => Promise<void>; owned?: boolean } = {}) {
  const calls: Calls = { rooms: [], deleted: [], dispatches: [], dials: [] };
  const trunk = new SIPOutboundTrunkInfo({
    sipTrunkId: 'ST_callback',
    name: objectName('sb-test', 'callback'),
    metadata:
      opts.owned === false
        ? ''
        : encodeMark({ deployment: 'sb-test', name: 'callback', specHash: 'x' }),
  });
  const clients = {
    sip: {
      listSipOutboundTrunk: async () => [trunk],
      createSipParticipant: async (...args: unknown[]) => {
        calls.dials.push(args);
        await opts.dial?.();
        return {};
      },
    },
    rooms: {
      createRoom: async (room: unknown) => {
        calls.rooms.push(room);
        return {};
      },
      deleteRoom: async (name: string) => {
        calls.deleted.push(name);
      },
    },
    dispatch: {
      createDispatch: async (...args: unknown[]) => {
        calls.dispatches.push(args);
        return {};
      },
    },
  } as unknown as CallbackClients;
  return { clients, calls };
}

function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(line);
      },
    },
  );
  return { logger, text: () => lines.join('') };
}

const sipError = (code: number, reason: string) =>
  new SipCallError('twirp', `INVITE to sip:${NUMBER}@carrier failed`, 500, 'unavailable', {
    sip_status_code: String(code),
    sip_status: reason,
  });

describe('placeCallback', () => {
  it('dispatches the agent and dials the consented number through the owned outbound trunk', async () => {
    const { store, recorded } = fakeStore();
    const { clients, calls } = fakeClients();
    const log = capturingLogger();
    const result = await placeCallback({
      config,
      store,
      messageId: ID,
      logger: log.logger,
      clients,
    });

    expect(result).toEqual({ state: 'dialing', room: `callback-${ID}` });
    expect(recorded).toEqual(['dialing']);
    expect(calls.rooms).toMatchObject([{ name: `callback-${ID}` }]);
    expect(calls.dispatches).toEqual([
      [`callback-${ID}`, 'helpdesk-agent', { metadata: `{"callback":{"messageId":"${ID}"}}` }],
    ]);
    expect(calls.dials).toEqual([
      [
        'ST_callback',
        NUMBER,
        `callback-${ID}`,
        {
          participantIdentity: 'callee',
          participantName: 'callee',
          waitUntilAnswered: true,
          ringingTimeout: 20,
          playDialtone: false,
        },
      ],
    ]);
    expect(calls.deleted).toEqual([]);
    expect(log.text()).toContain(ID);
    expect(log.text()).not.toContain('470123456');
  });

  it.each([486, 480, 408, 487])(
    'records no_answer on SIP %i and deletes the room',
    async (code) => {
      const { store, recorded } = fakeStore();
      const { clients, calls } = fakeClients({
        dial: () => Promise.reject(sipError(code, 'x')),
      });
      const log = capturingLogger();
      const result = await placeCallback({
        config,
        store,
        messageId: ID,
        logger: log.logger,
        clients,
      });
      expect(result).toEqual({ state: 'no_answer', room: `callback-${ID}`, sipStatusCode: code });
      expect(recorded).toEqual(['dialing', 'no_answer']);
      expect(calls.deleted).toEqual([`callback-${ID}`]);
      expect(log.text()).toContain(`"sipStatusCode":${code}`);
      expect(log.text()).not.toContain('470123456');
    },
  );

  it('records failed on another SIP error, logging its text without the number', async () => {
    const { store, recorded } = fakeStore();
    const { clients, calls } = fakeClients({
      dial: () => Promise.reject(sipError(503, 'Service Unavailable')),
    });
    const log = capturingLogger();
    const result = await placeCallback({
      config,
      store,
      messageId: ID,
      logger: log.logger,
      clients,
    });
    expect(result.state).toBe('failed');
    expect(result.sipStatusCode).toBe(503);
    expect(recorded).toEqual(['dialing', 'failed']);
    expect(calls.deleted).toEqual([`callback-${ID}`]);
    expect(log.text()).toContain('"sipStatusCode":503');
    expect(log.text()).not.toContain('470123456');
  });

  it('records failed on an error without a SIP code, scrubbing the number from its text', async () => {
    const { store, recorded } = fakeStore();
    const { clients } = fakeClients({
      dial: () => Promise.reject(new Error(`no route for sip:${NUMBER}@carrier`)),
    });
    const log = capturingLogger();
    const result = await placeCallback({
      config,
      store,
      messageId: ID,
      logger: log.logger,
      clients,
    });
    expect(result).toEqual({ state: 'failed', room: `callback-${ID}` });
    expect(recorded).toEqual(['dialing', 'failed']);
    expect(log.text()).toContain('no route for sip:[number]@carrier');
    expect(log.text()).not.toContain('470123456');
  });

  it('dials again when livekit-sip refused for CPU before ringing, and gives up after 4 tries', async () => {
    const busy = () => new Error('twirp error unknown: cpu exhausted');
    let refusals = 2;
    const { store, recorded } = fakeStore();
    const { clients, calls } = fakeClients({
      dial: () => (refusals-- > 0 ? Promise.reject(busy()) : Promise.resolve()),
    });
    const logger = capturingLogger().logger;
    const opts = { config, messageId: ID, logger, retryDelayMs: 1 };
    expect((await placeCallback({ ...opts, store, clients })).state).toBe('dialing');
    expect(calls.dials).toHaveLength(3);
    expect(recorded).toEqual(['dialing']);

    const always = fakeStore();
    const refused = fakeClients({ dial: () => Promise.reject(busy()) });
    const result = await placeCallback({ ...opts, store: always.store, clients: refused.clients });
    expect(result.state).toBe('failed');
    expect(refused.calls.dials).toHaveLength(4);
    expect(always.recorded).toEqual(['dialing', 'failed']);
  });

  it('records failed when the dispatch fails, before anything is dialled', async () => {
    const { store, recorded } = fakeStore();
    const { clients, calls } = fakeClients();
    clients.dispatch.createDispatch = () => Promise.reject(new Error('agent dispatch refused'));
    const result = await placeCallback({
      config,
      store,
      messageId: ID,
      logger: capturingLogger().logger,
      clients,
    });
    expect(result.state).toBe('failed');
    expect(recorded).toEqual(['dialing', 'failed']);
    expect(calls.dials).toEqual([]);
    expect(calls.deleted).toEqual([`callback-${ID}`]);
  });

  it.each([
    ['none', /did not consent/],
    ['answered', /already called back/],
    ['requested', /erased on the caller's request or expired/],
  ] as const)('refuses without a number (state %s), dialling nothing', async (state, message) => {
    const { store, recorded } = fakeStore({ state, number: undefined });
    const { clients, calls } = fakeClients();
    const placing = placeCallback({
      config,
      store,
      messageId: ID,
      logger: capturingLogger().logger,
      clients,
    });
    await expect(placing).rejects.toThrow(message);
    await expect(placing).rejects.toMatchObject({ reason: 'no_number' });
    expect(recorded).toEqual([]);
    expect(calls.dials).toEqual([]);
  });

  it('refuses an unknown message, an unconfigured callback, a foreign trunk and a ringing callback', async () => {
    const logger = capturingLogger().logger;
    const refusal = async (opts: Partial<Parameters<typeof placeCallback>[0]>) => {
      const { store, recorded } = fakeStore();
      const { clients, calls } = fakeClients();
      const err = await placeCallback({ config, store, messageId: ID, logger, clients, ...opts })
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallbackError);
      expect(recorded).toEqual([]);
      expect(calls.dials).toEqual([]);
      return err as CallbackError;
    };
    expect((await refusal({ messageId: 'vm_ffffffffffffffffffffffff' })).reason).toBe('not_found');
    const unconfigured = await refusal({ config: { ...config, voicemail: {} } });
    expect(unconfigured.reason).toBe('not_configured');
    expect(unconfigured.message).toContain('voicemail.callback.trunk');
    const foreign = await refusal({ clients: fakeClients({ owned: false }).clients });
    expect(foreign.reason).toBe('no_trunk');
    expect(foreign.message).toContain('provision apply');
    const ringing = fakeStore({ state: 'dialing', updatedAt: new Date().toISOString() });
    expect((await refusal({ store: ringing.store })).reason).toBe('in_progress');
  });

  it('dials again once an earlier attempt stopped ringing long ago', async () => {
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const { store, recorded } = fakeStore({ state: 'dialing', updatedAt: longAgo });
    const { clients } = fakeClients();
    const result = await placeCallback({
      config,
      store,
      messageId: ID,
      logger: capturingLogger().logger,
      clients,
    });
    expect(result.state).toBe('dialing');
    expect(recorded).toEqual(['dialing']);
  });
});
