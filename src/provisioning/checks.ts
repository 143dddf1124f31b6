import type { z } from 'zod';

/** The parts of the parsed provisioning slice that the cross-object checks read. */
interface SliceView {
  inboundTrunks: Array<{
    name: string;
    numbers: string[];
    allowedAddresses: string[];
    allowedNumbers: string[];
    auth?: { username?: string; password?: string };
  }>;
  outboundTrunks: Array<{ name: string }>;
  dispatchRules: Array<{ name: string; trunks: string[]; pin?: string }>;
}

type Path = Array<string | number>;

/** Checks that span objects of the provisioning slice. Paths are relative to `provisioning`. */
export function checkSlice(slice: SliceView, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  checkUniqueNames(slice, issue);
  checkGates(slice, issue);
  checkNumbers(slice, issue);
  checkBindings(slice, issue);
}

type Report = (path: Path, message: string) => void;

function checkUniqueNames(slice: SliceView, issue: Report): void {
  for (const kind of ['inboundTrunks', 'outboundTrunks', 'dispatchRules'] as const) {
    const seen = new Set<string>();
    slice[kind].forEach((item, i) => {
      if (seen.has(item.name)) {
        issue(
          [kind, i, 'name'],
          `"${item.name}" is used twice in ${kind}; give each a unique name`,
        );
      }
      seen.add(item.name);
    });
  }
}

function checkGates(slice: SliceView, issue: Report): void {
  slice.inboundTrunks.forEach((trunk, i) => {
    const hasAuth = Boolean(trunk.auth?.username && trunk.auth.password);
    if (!hasAuth && trunk.allowedAddresses.length === 0) {
      issue(
        ['inboundTrunks', i],
        `trunk "${trunk.name}" has no security gate, so anyone on the internet can call it: ` +
          'add allowedAddresses (your carrier’s signalling ranges) or auth { username, password }. ' +
          'numbers and allowedNumbers are not gates: the caller writes both.',
      );
    }
  });
}

/**
 * A called number belongs to one trunk. LiveKit also refuses two trunks that both answer any
 * number for the same callers; we say so here instead of failing halfway through an apply.
 */
function checkNumbers(slice: SliceView, issue: Report): void {
  const owner = new Map<string, string>();
  slice.inboundTrunks.forEach((trunk, i) => {
    trunk.numbers.forEach((number, j) => {
      const other = owner.get(number);
      if (other !== undefined) {
        const where =
          other === trunk.name ? 'listed twice on this trunk' : `also on trunk "${other}"`;
        issue(
          ['inboundTrunks', i, 'numbers', j],
          `number is ${where}; each number belongs to one inbound trunk`,
        );
      }
      owner.set(number, trunk.name);
    });
  });
  const anyNumber = new Map<string, string>();
  slice.inboundTrunks.forEach((trunk, i) => {
    if (trunk.numbers.length > 0) return;
    const callers = trunk.allowedNumbers.length > 0 ? trunk.allowedNumbers : ['*'];
    for (const caller of callers) {
      // A trunk open to every caller ('*') overlaps with any caller of another any-number trunk:
      // LiveKit then finds "multiple default SIP trunks" for that caller and refuses the call.
      const other =
        caller === '*'
          ? [...anyNumber.values()].find((name) => name !== trunk.name)
          : (anyNumber.get(caller) ?? anyNumber.get('*'));
      if (other !== undefined && other !== trunk.name) {
        issue(
          ['inboundTrunks', i, 'numbers'],
          `trunks "${other}" and "${trunk.name}" both answer any number for the same callers, which LiveKit refuses; ` +
            'give one of them numbers (the numbers it answers), or give both distinct allowedNumbers',
        );
        return;
      }
      anyNumber.set(caller, trunk.name);
    }
  });
}

function checkBindings(slice: SliceView, issue: Report): void {
  const inbound = new Set(slice.inboundTrunks.map((t) => t.name));
  const outbound = new Set(slice.outboundTrunks.map((t) => t.name));
  // LiveKit refuses two rules for one trunk with the same PIN (it could not choose between them).
  const servedBy = new Map<string, string>();
  slice.dispatchRules.forEach((rule, i) => {
    const seen = new Set<string>();
    rule.trunks.forEach((name, j) => {
      const path = ['dispatchRules', i, 'trunks', j];
      if (seen.has(name)) issue(path, `trunk "${name}" is listed twice; list it once`);
      seen.add(name);
      if (!inbound.has(name)) {
        issue(
          path,
          outbound.has(name)
            ? `"${name}" is an outbound trunk; dispatch rules bind inbound trunks`
            : `no inbound trunk is named "${name}"; define it under provisioning.inboundTrunks or fix the name`,
        );
        return;
      }
      const key = `${name}\u0000${rule.pin ?? ''}`;
      const other = servedBy.get(key);
      if (other !== undefined && other !== rule.name) {
        issue(
          path,
          `rule "${other}" already serves trunk "${name}" with the same PIN, which LiveKit refuses; ` +
            'use one rule per trunk, or give the rules different pins',
        );
      }
      servedBy.set(key, rule.name);
    });
  });
}
