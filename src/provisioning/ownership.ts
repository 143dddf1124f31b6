import { createHash } from 'node:crypto';

/**
 * How Switchboard recognises the LiveKit objects it owns. Two marks, both required:
 * - the name `sb:<deployment>:<config name>`, visible in `lk sip … list` and the console;
 * - metadata JSON carrying the deployment, the config name and a hash of the desired spec.
 * An object with only one of the marks (someone copied the name, or edited the metadata) is
 * treated as somebody else's: never updated, never deleted.
 */
export const MANAGED_BY = 'switchboard';

export interface OwnershipMark {
  managedBy: typeof MANAGED_BY;
  deployment: string;
  /** Name in switchboard.yaml. */
  name: string;
  /** Hash of the desired spec when Switchboard last wrote the object. */
  specHash: string;
}

export function objectName(deployment: string, name: string): string {
  return `sb:${deployment}:${name}`;
}

export function encodeMark(mark: Omit<OwnershipMark, 'managedBy'>): string {
  const full: OwnershipMark = { managedBy: MANAGED_BY, ...mark };
  return JSON.stringify(full);
}

/** The mark of an object if it belongs to `deployment`, else undefined. */
export function ownedBy(
  deployment: string,
  object: { name: string; metadata: string },
): OwnershipMark | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(object.metadata);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const mark = parsed as Partial<OwnershipMark>;
  if (mark.managedBy !== MANAGED_BY || mark.deployment !== deployment) return undefined;
  if (typeof mark.name !== 'string' || typeof mark.specHash !== 'string') return undefined;
  if (object.name !== objectName(deployment, mark.name)) return undefined;
  return mark as OwnershipMark;
}

/** Short, stable hash of a JSON-able value, independent of key order. */
export function specHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
