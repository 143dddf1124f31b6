import { describe, expect, it } from 'vitest';
import { callerNumber } from './sip-participant.js';

const FROM = 'switchboard.from';

describe('callerNumber', () => {
  it('prefers sip.phoneNumber', () => {
    expect(
      callerNumber({ 'sip.phoneNumber': '+3225550143', [FROM]: '<sip:+3225550999@x>' }, FROM),
    ).toBe('+3225550143');
  });

  it('reads the user part of a mapped From header when the rule hides the number', () => {
    expect(callerNumber({ [FROM]: '<sip:+3225550143@127.0.0.1>;tag=6afe17e9' }, FROM)).toBe(
      '+3225550143',
    );
    expect(
      callerNumber({ [FROM]: '"Jan" <sip:0032470123456@carrier.example;user=phone>;tag=x' }, FROM),
    ).toBe('0032470123456');
    expect(callerNumber({ [FROM]: 'sip:+3225550143@host;tag=1' }, FROM)).toBe('+3225550143');
    expect(callerNumber({ [FROM]: '<tel:+3225550143>' }, FROM)).toBe('+3225550143');
  });

  it('is undefined for a withheld caller', () => {
    expect(callerNumber({}, FROM)).toBeUndefined();
    expect(callerNumber({ [FROM]: 'garbage' }, FROM)).toBeUndefined();
  });
});
