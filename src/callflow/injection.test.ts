import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { serviceCxml } from './cxml.js';
import type { FormParams } from './signature.js';
import {
  CALL_SID,
  callParams,
  cloudonixRequest,
  testApp,
  testConfig,
  twilioRequest,
} from '../../test/harness/callflow-fixtures.js';
import { dialAgentTwiml, messageTwiml } from './twiml.js';
import { xmlSafe } from './xml-text.js';

/** Hostile caller-controlled values; numbers in them are fictional. */
const CORPUS: string[] = [
  '<Dial>+3225550166</Dial>',
  '+32 470<Dial>',
  '</Sip><Dial>+3225550166</Dial><Sip>',
  '"><Hangup/>',
  "' onload='x",
  '&amp;&lt;&#x3C;&',
  '<![CDATA[</Response>]]>',
  '<!-- comment -->',
  '<?xml version="1.0"?><Response/>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  '+3225550142\r\nX-Evil: injected',
  '\r\n\r\n<Response><Hangup/></Response>',
  'sip:evil@x;transport=tcp',
  'sip:+3225550166@evil.example.org;transport=tcp?X-Evil=1',
  '+3225550100@evil.example.org',
  '+3225550100;transport=tcp?Route=<sip:evil.example.org>',
  'tel:+3225550166;phone-context=evil',
  '+3225550100?X-Switchboard-Caller=forged',
  '＋３２２５５５０１６６',
  '+32\u202e2555\u200d0166',
  '\u0000\u0007\u001b[31m\ufffe\ud800',
  '🚑☎️ 電話 +3225550166',
  'A'.repeat(3000),
  '9'.repeat(2000),
  '%3CDial%3E%2B3225550166',
  '${TWILIO_AUTH_TOKEN}',
];

const illegalXmlChars =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])/;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false });

type Node = Record<string, unknown>;
/** Element names and attribute names in document order, values left out. */
function skeleton(xml: string): string {
  const walk = (nodes: Node[]): string =>
    nodes
      .map((node) => {
        const name = Object.keys(node).find((k) => k !== ':@')!;
        if (name === '#text') return '';
        const attrs = Object.keys((node[':@'] as Node | undefined) ?? {}).join(',');
        return `<${name}${attrs ? `[${attrs}]` : ''}>${walk((node[name] as Node[]) ?? [])}`;
      })
      .join('');
  return walk(parser.parse(xml) as Node[]);
}

/** Well-formed, nothing XML cannot carry, and the same elements and attributes as the baseline. */
function expectWellFormed(xml: string, baseline: string, value: string): void {
  expect(XMLValidator.validate(xml), value.slice(0, 40)).toBe(true);
  expect(xml).not.toMatch(illegalXmlChars);
  expect(skeleton(xml), value.slice(0, 40)).toBe(skeleton(baseline));
}

/** For documents built from config only: the caller's value does not appear at all. */
function expectSafeDocument(xml: string, baseline: string, value: string): void {
  expectWellFormed(xml, baseline, value);
  expect(xml.includes(value), value.slice(0, 40)).toBe(false);
}

const SIP_TEXT = /<Sip>sip:(\+[1-9]\d{6,14}|switchboard)@127\.0\.0\.1:5060<\/Sip>/;

describe('injection corpus', () => {
  const { app } = testApp(testConfig('dev'));
  const routes: Array<{ path: string; extra: FormParams }> = [
    { path: '/twilio/voice', extra: {} },
    { path: '/twilio/escalate', extra: {} },
    { path: '/twilio/dial-status?leg=agent', extra: { DialCallStatus: 'failed' } },
    { path: '/twilio/dial-status?leg=helpdesk', extra: { DialCallStatus: 'busy' } },
  ];

  it('has at least 20 hostile values', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(20);
  });

  it('keeps every Twilio document well-formed and every value inside its element', async () => {
    for (const { path, extra } of routes) {
      const baseline = await (await twilioRequest(app, { path, params: callParams(extra) })).text();
      for (const value of CORPUS) {
        const params = callParams({
          ...extra,
          From: value,
          To: value,
          CallerName: value,
          [`X-${value.slice(0, 20)}`]: value,
        });
        const res = await twilioRequest(app, { path, params });
        expect(res.status, `${path} ${value.slice(0, 40)}`).toBe(200);
        const xml = await res.text();
        expectSafeDocument(xml, baseline, value);
        if (path === '/twilio/voice') expect(xml).toMatch(SIP_TEXT);
      }
    }
  });

  it('treats hostile DialCallStatus values as a failed leg', async () => {
    const path = '/twilio/dial-status?leg=agent';
    const baseline = await (
      await twilioRequest(app, { path, params: callParams({ DialCallStatus: 'failed' }) })
    ).text();
    for (const value of CORPUS) {
      const res = await twilioRequest(app, { path, params: callParams({ DialCallStatus: value }) });
      expect(res.status).toBe(200);
      expectSafeDocument(await res.text(), baseline, value);
    }
  });

  it('refuses hostile CallSid, AccountSid and leg values without echoing them', async () => {
    for (const value of CORPUS) {
      const asCallSid = await twilioRequest(app, {
        path: '/twilio/voice',
        params: callParams({ CallSid: `${CALL_SID}${value}` }),
      });
      expect(asCallSid.status).toBe(400);
      const asAccount = await twilioRequest(app, {
        path: '/twilio/voice',
        params: callParams({ AccountSid: value }),
      });
      expect(asAccount.status).toBe(403);
      const asLeg = await twilioRequest(app, {
        path: `/twilio/dial-status?${new URLSearchParams({ leg: value }).toString()}`,
        params: callParams({ DialCallStatus: 'busy' }),
      });
      expect(asLeg.status).toBe(400);
      for (const res of [asCallSid, asAccount, asLeg]) {
        expect(await res.text()).not.toContain(value);
      }
    }
  });

  it('keeps the Cloudonix document independent of caller values', async () => {
    const baseline = await (await cloudonixRequest(app)).text();
    for (const value of CORPUS) {
      const res = await cloudonixRequest(app, {
        params: { CallSid: value, From: value, To: value, Session: value },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(baseline);
    }
  });

  it('builders escape and strip hostile text themselves (defence in depth)', () => {
    const entities = new XMLParser({
      ignoreAttributes: false,
      htmlEntities: true,
      parseTagValue: false,
      trimValues: false,
    });
    for (const value of CORPUS) {
      const spoken = messageTwiml([{ language: 'en', text: value }]);
      expectWellFormed(spoken, messageTwiml([{ language: 'en', text: 'x' }]), value);
      // The text comes back as said, minus characters XML cannot carry.
      const say = (entities.parse(spoken) as { Response: { Say: unknown } }).Response.Say;
      const said = typeof say === 'object' ? (say as Record<string, unknown>)['#text'] : say;
      expect(String(said ?? '')).toBe(xmlSafe(value));
      const dial = dialAgentTwiml({
        sipUri: 'sip:+3225550100@127.0.0.1:5060',
        actionUrl: `https://switchboard.example.org/twilio/dial-status?leg=${value}`,
        timeoutSeconds: 30,
        credentials: { username: value, password: value },
      });
      const plainDial = dialAgentTwiml({
        sipUri: 'sip:+3225550100@127.0.0.1:5060',
        actionUrl: 'https://switchboard.example.org/twilio/dial-status?leg=agent',
        timeoutSeconds: 30,
        credentials: { username: 'u', password: 'p' },
      });
      expectWellFormed(dial, plainDial, value);
      const cxml = serviceCxml({ providerAlias: value, number: value });
      expectWellFormed(cxml, serviceCxml({ providerAlias: 'a', number: '+3225550100' }), value);
    }
  });
});
