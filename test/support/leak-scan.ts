/**
 * Checks behind the privacy promises, for the end-to-end suite: no log line names a caller, and
 * no call leaves audio on disk.
 */
import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  type Dirent,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { findPhoneNumbers } from '../../src/privacy/index.js';

export interface Finding {
  /** Index of the line in the scanned array. */
  line: number;
  /** `phone-like`: looks like any phone number. `needle`: one of the given numbers, in any form. */
  kind: 'phone-like' | 'needle';
  match: string;
}

export interface ScanOptions {
  /** Numbers that may appear (say, the helpdesk a call is transferred to), in any format. */
  allow?: string[];
  /** Region for needles written without a country code. */
  region?: 'BE' | 'NL' | 'FR' | 'DE' | 'GB' | 'US';
}

/** National significant number of a phone number (`470123456` for `+32 470 12 34 56`). */
function significantDigits(raw: string, region: ScanOptions['region']): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.replace(/^00/, '+'), region ?? 'BE');
  return parsed?.nationalNumber;
}

/**
 * A needle's digits in any written form: with or without country code or trunk 0, and with any
 * spaces, dots, slashes or dashes between the digits.
 */
function needlePattern(needle: string, region: ScanOptions['region']): RegExp | undefined {
  const digits = significantDigits(needle, region) ?? needle.replace(/\D/g, '');
  if (digits.length < 6) return undefined;
  const between = String.raw`[\s./()-]{0,3}`;
  return new RegExp([...digits].join(between) + String.raw`(?!\d)`, 'g');
}

/**
 * Every phone-number-looking string in the lines, plus every occurrence of the needles (the test
 * callers' numbers) in any format, including forms a generic pattern cannot tell from other
 * digits, such as `32470123456` without its `+`.
 */
export function scanForPhoneNumbers(
  lines: string[],
  extraNeedles: string[],
  opts: ScanOptions = {},
): Finding[] {
  const allowed = new Set(
    (opts.allow ?? []).map((n) => significantDigits(n, opts.region) ?? n.replace(/\D/g, '')),
  );
  const isAllowed = (match: string) => {
    const digits = significantDigits(match.replace(/^%2[Bb]/, '+'), opts.region);
    return digits !== undefined && allowed.has(digits);
  };
  const needles = extraNeedles
    .map((n) => needlePattern(n, opts.region))
    .filter((p): p is RegExp => p !== undefined);
  const findings: Finding[] = [];
  lines.forEach((text, line) => {
    for (const match of findPhoneNumbers(text)) {
      if (!isAllowed(match)) findings.push({ line, kind: 'phone-like', match });
    }
    for (const pattern of needles) {
      for (const m of text.matchAll(pattern)) findings.push({ line, kind: 'needle', match: m[0] });
    }
  });
  return findings;
}

export interface AudioScanOptions {
  /** Folders to leave out, such as the test's own temp dir where softphone WAVs belong. */
  exclude?: string[];
  /** Raw PCM (`.pcm`, `.raw`, `.sln*`) at or above this size counts as audio; default 16 KiB (0.5 s at 16 kHz). */
  rawMinBytes?: number;
}

const RAW_AUDIO = /\.(pcm|raw|sln|sln8|sln16|sln48|ulaw|alaw|mulaw)$/i;

function head(path: string): Buffer {
  const buf = Buffer.alloc(12);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, buf, 0, 12, 0);
  } catch {
    buf.fill(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return buf;
}

/** Audio by content: WAV (`RIFF....WAVE`), OGG (`OggS`), FLAC, MP3; raw PCM by name and size. */
export function isAudioFile(path: string, size: number, rawMinBytes = 16 * 1024): boolean {
  if (RAW_AUDIO.test(path) && size >= rawMinBytes) return true;
  if (size < 12) return false;
  const h = head(path);
  const ascii = (from: number, to: number) => h.toString('latin1', from, to);
  return (
    (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') ||
    ascii(0, 4) === 'OggS' ||
    ascii(0, 4) === 'fLaC' ||
    ascii(0, 3) === 'ID3'
  );
}

/**
 * Audio files created since `sinceMs` under the folders (recursively, symlinks not followed).
 * Creating a file bumps its folder's mtime, so files are only examined in folders changed since
 * then: a walk of a large home dir costs one readdir per folder instead of a stat per file. A file
 * rewritten in place inside an unchanged folder is not seen; recorders create new files.
 */
export function findAudioFiles(
  dirs: string[],
  sinceMs: number,
  opts: AudioScanOptions = {},
): string[] {
  const excluded = (opts.exclude ?? []).map((d) => resolve(d));
  const isExcluded = (p: string) => excluded.some((d) => p === d || p.startsWith(d + sep));
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (seen.has(dir) || isExcluded(dir)) return;
    seen.add(dir);
    let entries: Dirent[];
    let changed: boolean;
    try {
      changed = statSync(dir).mtimeMs >= sinceMs;
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable or vanished
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (changed && entry.isFile() && !isExcluded(path)) {
        let st;
        try {
          st = statSync(path);
        } catch {
          continue;
        }
        if (st.mtimeMs >= sinceMs && isAudioFile(path, st.size, opts.rawMinBytes)) found.add(path);
      }
    }
  };
  for (const dir of dirs) {
    const root = resolve(dir);
    try {
      if (lstatSync(root).isDirectory()) walk(root);
    } catch {
      // a folder that does not exist holds no audio
    }
  }
  return [...found].sort();
}
