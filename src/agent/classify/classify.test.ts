import { describe, expect, it } from 'vitest';
import { classifyDtmf, createClassifier, type ClassifierOptions } from './classify.js';
import { classifierConfigSchema } from './config.js';
import type { Language } from './language.js';

const classifyTerminal = (text: string, options: ClassifierOptions, language?: Language) =>
  createClassifier(options).classify(text, language);

const config = classifierConfigSchema.parse({});

type Case = [text: string, intent: string, language: Language];

const positives: Case[] = [
  // Hand-off
  ['ik wil met een mens praten', 'HANDOFF_REQUEST', 'nl'],
  ['Ik wil met een MENS spreken, alstublieft', 'HANDOFF_REQUEST', 'nl'],
  ['Euh, ik wil met een, euh, mens praten', 'HANDOFF_REQUEST', 'nl'],
  ['Mag ik een medewerker?', 'HANDOFF_REQUEST', 'nl'],
  ['Kunt u mij doorverbinden met de helpdesk?', 'HANDOFF_REQUEST', 'nl'],
  ['Nou, ik wil gewoon iemand spreken', 'HANDOFF_REQUEST', 'nl'],
  ["je voudrais parler à quelqu'un", 'HANDOFF_REQUEST', 'fr'],
  ["Je voudrais parler a quelqu’un s'il vous plaît", 'HANDOFF_REQUEST', 'fr'],
  ['Euh… alors, un opérateur, svp', 'HANDOFF_REQUEST', 'fr'],
  ['Je veux parler à une vraie personne', 'HANDOFF_REQUEST', 'fr'],
  ['Passez-moi le standard', 'HANDOFF_REQUEST', 'fr'],
  ['I want to speak to a person', 'HANDOFF_REQUEST', 'en'],
  ['Uh, can I, um, talk to someone please?', 'HANDOFF_REQUEST', 'en'],
  ['I need a representative, now!', 'HANDOFF_REQUEST', 'en'],
  ['Can I speak to a human being', 'HANDOFF_REQUEST', 'en'],
  ['Well, just put me through to the help desk', 'HANDOFF_REQUEST', 'en'],
  ['Ich möchte mit einem Menschen sprechen', 'HANDOFF_REQUEST', 'de'],
  ['Äh, ich möchte mit einem Mitarbeiter reden', 'HANDOFF_REQUEST', 'de'],
  ['Können Sie mich bitte durchstellen?', 'HANDOFF_REQUEST', 'de'],
  ['ICH MOCHTE MIT JEMANDEM SPRECHEN', 'HANDOFF_REQUEST', 'de'],
  // Opening hours: they name the helpdesk, but ask for its hours, not for a person
  ['Wanneer is de helpdesk open?', 'HOURS_QUESTION', 'nl'],
  ['Wat zijn de openingsuren?', 'HOURS_QUESTION', 'nl'],
  ["Quelles sont vos heures d'ouverture ?", 'HOURS_QUESTION', 'fr'],
  ['Quand est-ce que le helpdesk est ouvert ?', 'HOURS_QUESTION', 'fr'],
  ['When is the helpdesk open?', 'HOURS_QUESTION', 'en'],
  ['Tell me about your opening hours', 'HOURS_QUESTION', 'en'],
  ['Wann ist der Helpdesk geöffnet?', 'HOURS_QUESTION', 'de'],
  ['Was sind Ihre Öffnungszeiten?', 'HOURS_QUESTION', 'de'],
  // Leaving a message, even one for the helpdesk
  ['Ik wil een bericht achterlaten voor de helpdesk', 'LEAVE_MESSAGE', 'nl'],
  ['Je voudrais laisser un message', 'LEAVE_MESSAGE', 'fr'],
  ['Can I leave a message for the helpdesk?', 'LEAVE_MESSAGE', 'en'],
  ['Ich möchte eine Nachricht hinterlassen', 'LEAVE_MESSAGE', 'de'],
  // Emergency
  ['Dit is een noodgeval!', 'EMERGENCY', 'nl'],
  ['Mijn vader heeft een hartaanval', 'EMERGENCY', 'nl'],
  ['Mijn vrouw kan niet meer ademen', 'EMERGENCY', 'nl'],
  ["C'est une urgence", 'EMERGENCY', 'fr'],
  ['Mon mari fait une crise cardiaque', 'EMERGENCY', 'fr'],
  ['Je ne peux pas respirer', 'EMERGENCY', 'fr'],
  ['Il saigne beaucoup', 'EMERGENCY', 'fr'],
  ['This is an emergency', 'EMERGENCY', 'en'],
  ['My father is having a heart attack', 'EMERGENCY', 'en'],
  ["I can't breathe", 'EMERGENCY', 'en'],
  ['she is bleeding a lot', 'EMERGENCY', 'en'],
  ['Es ist ein Notfall', 'EMERGENCY', 'de'],
  ['Mein Mann hat einen Herzinfarkt', 'EMERGENCY', 'de'],
  ['Meine Mutter ist ohnmaechtig geworden, sie ist bewusstlos', 'EMERGENCY', 'de'],
  ['Ich bekomme keine Luft', 'EMERGENCY', 'de'],
  // Goodbye
  ['Tot ziens!', 'GOODBYE', 'nl'],
  ['Dag!', 'GOODBYE', 'nl'],
  ['Oké, bedankt, dag', 'GOODBYE', 'nl'],
  ['Nog een fijne dag', 'GOODBYE', 'nl'],
  ['Merci, au revoir', 'GOODBYE', 'fr'],
  ['Bonne journée!', 'GOODBYE', 'fr'],
  ['Thanks, goodbye', 'GOODBYE', 'en'],
  ['OK bye bye', 'GOODBYE', 'en'],
  ['Danke, auf Wiedersehen', 'GOODBYE', 'de'],
  ['Tschüss!', 'GOODBYE', 'de'],
  ['Vielen Dank, auf Wiederhören', 'GOODBYE', 'de'],
];

const negatives: string[] = [
  'I am a person who likes to know the visiting hours',
  'de mens is een sociaal wezen',
  'de dag van mijn afspraak is veranderd',
  'Wat zijn de bezoekuren?',
  'Waar kan ik parkeren?',
  'Ich möchte einen Termin vereinbaren',
  'Quelles sont les heures de visite ?',
  'Where is the emergency room?',
  "It's not an emergency, I just have a question",
  "Ce n'est pas une urgence",
  'Het is geen noodgeval',
  'Das ist kein Notfall',
  'Les urgences sont à quel étage ?',
  'What are the visiting hours',
  'Which person should I ask about parking',
  'Hello',
  '',
  '   ...   ',
  'Het wordt een mooie dag vandaag',
  'Salut, je voudrais un rendez-vous',
  'Daarmee zeg ik niks over het dagelijkse leven',
  'Bypass the parking gate',
];

describe('classifyTerminal', () => {
  it.each(positives)('%s → %s (%s)', (text, intent, language) => {
    expect(classifyTerminal(text, config)).toMatchObject({ intent, language });
  });

  it.each(negatives)('no intent in %j', (text) => {
    expect(classifyTerminal(text, config)).toBeUndefined();
  });

  it('puts an emergency before a hand-off and a hand-off before goodbye', () => {
    expect(classifyTerminal('Heart attack! Get me an operator', config)?.intent).toBe('EMERGENCY');
    expect(classifyTerminal('Ik wil een medewerker, dag', config)?.intent).toBe('HANDOFF_REQUEST');
    expect(classifyTerminal('Goodbye, no wait, I want to speak to a person', config)?.intent).toBe(
      'HANDOFF_REQUEST',
    );
  });

  it('names the matched phrase and lets the call language break a tie', () => {
    expect(classifyTerminal('Operator', config, 'de')).toEqual({
      intent: 'HANDOFF_REQUEST',
      language: 'de',
      phrase: 'operator',
    });
    expect(classifyTerminal('Operator', config, 'en')?.language).toBe('en');
    // A longer phrase is better evidence of the language than the caller's previous turns.
    expect(classifyTerminal('Tot ziens, bye', config, 'en')?.language).toBe('nl');
  });

  it('uses phrases from config and honours ^ and $ anchors', () => {
    const custom = classifierConfigSchema.parse({
      phrases: { goodbye: { en: ['^that is all$', 'cheers$'] }, handoff: { en: ['nurse'] } },
    });
    expect(classifyTerminal('That is all.', custom)?.intent).toBe('GOODBYE');
    expect(classifyTerminal('That is all I wanted to ask', custom)).toBeUndefined();
    expect(classifyTerminal('Thanks, cheers', custom)?.intent).toBe('GOODBYE');
    expect(classifyTerminal('Cheers for the help, what about parking', custom)).toBeUndefined();
    expect(classifyTerminal('Can I have the nurse', custom)?.intent).toBe('HANDOFF_REQUEST');
    // Replacing the English list drops its defaults but keeps the other languages'.
    expect(classifyTerminal('I want to speak to a person', custom)).toBeUndefined();
    expect(classifyTerminal('Ik wil met een mens praten', custom)?.intent).toBe('HANDOFF_REQUEST');
  });

  it('works without fillers or ignore lists, with exact wording only', () => {
    const bare = { phrases: config.phrases };
    expect(classifyTerminal('speak to a person', bare)?.intent).toBe('HANDOFF_REQUEST');
    expect(classifyTerminal('speak to uh a person', bare)).toBeUndefined();
    expect(classifyTerminal('not an emergency', bare)?.intent).toBe('EMERGENCY');
  });
});

describe('classifyDtmf', () => {
  it('hands off on 0 and ignores other keys by default', () => {
    expect(classifyDtmf('0', config)).toBe('HANDOFF_REQUEST');
    expect(classifyDtmf('0')).toBe('HANDOFF_REQUEST');
    for (const key of ['1', '9', '*', '#']) expect(classifyDtmf(key, config)).toBeUndefined();
  });

  it('reports an emergency only on a configured key', () => {
    const withKey = classifierConfigSchema.parse({ dtmf: { emergency: ['9'] } });
    expect(classifyDtmf('9', withKey)).toBe('EMERGENCY');
    expect(createClassifier(withKey).classifyDtmf('0')).toBe('HANDOFF_REQUEST');
    expect(classifyDtmf('9', config)).toBeUndefined();
  });
});

describe('consent', () => {
  const classifier = createClassifier(config);
  it.each([
    ['Ja, graag.', 'nl', 'yes'],
    ['nee, dank u', 'nl', 'no'],
    ['Oui.', 'fr', 'yes'],
    ['Non merci', 'fr', 'no'],
    ['Yes please!', 'en', 'yes'],
    ['No.', 'en', 'no'],
    ['Ja, bitte', 'de', 'yes'],
    ['Nein danke', 'de', 'no'],
  ] as const)('%j in %s is %s', (text, language, answer) => {
    expect(classifier.consent(text, language)).toBe(answer);
  });

  it.each([
    ['yes but not on this number', 'en'],
    ['no wait yes', 'en'],
    ['I do not know', 'en'],
    ['ja maar niet vandaag', 'nl'],
  ] as const)('%j is neither: only a whole-turn answer counts', (text, language) => {
    expect(classifier.consent(text, language)).toBeUndefined();
  });
});
