import type { Language } from '../../src/common/index.js';

/**
 * A labelled set for end-of-turn detection: helpdesk requests as callers say them, each with the
 * place where callers pause mid-sentence ("|"). The words before the pause are an incomplete turn
 * (a cut there is premature); the whole sentence is a complete one.
 */
export const UTTERANCES: Record<Language, string[]> = {
  en: [
    'I would like to | make an appointment with cardiology',
    'Can you tell me | what the visiting hours are',
    'My mother is | on the fourth floor and I want to visit her',
    'I have a question about | my invoice from last month',
    'Where do I | park my car when I come for a blood test',
    'I need to | cancel my appointment for tomorrow',
    'Is it possible to | speak to someone from radiology',
    'My doctor said that | I should call this number',
    'When does the | pharmacy close today',
    'I lost my | hospital card yesterday',
    'Could you please | put me through to the emergency department',
    'I am calling because | my results are not online yet',
  ],
  nl: [
    'Ik wil graag | een afspraak maken bij cardiologie',
    'Kunt u mij zeggen | wat de bezoekuren zijn',
    'Mijn moeder ligt | op de vierde verdieping',
    'Ik heb een vraag over | mijn factuur van vorige maand',
    'Waar kan ik | parkeren voor een bloedafname',
    'Ik moet | mijn afspraak van morgen annuleren',
    'Is het mogelijk om | iemand van radiologie te spreken',
    'Mijn huisarts zei dat | ik dit nummer moest bellen',
    'Wanneer sluit | de apotheek vandaag',
    'Ik ben mijn | ziekenhuiskaart kwijt',
    'Kunt u mij alstublieft | doorverbinden met de spoed',
    'Ik bel omdat | mijn resultaten nog niet online staan',
  ],
  fr: [
    'Je voudrais | prendre rendez-vous en cardiologie',
    'Pouvez-vous me dire | quelles sont les heures de visite',
    'Ma mère est | au quatrième étage',
    "J'ai une question sur | ma facture du mois dernier",
    'Où est-ce que je peux | me garer pour une prise de sang',
    'Je dois | annuler mon rendez-vous de demain',
    'Est-ce possible de | parler à quelqu’un de la radiologie',
    'Mon médecin a dit que | je devais appeler ce numéro',
    'À quelle heure | ferme la pharmacie aujourd’hui',
    "J'ai perdu | ma carte de l'hôpital",
    "Pourriez-vous s'il vous plaît | me passer les urgences",
    "J'appelle parce que | mes résultats ne sont pas encore en ligne",
  ],
  de: [
    'Ich möchte gerne | einen Termin in der Kardiologie',
    'Können Sie mir sagen | wann die Besuchszeiten sind',
    'Meine Mutter liegt | im vierten Stock',
    'Ich habe eine Frage zu | meiner Rechnung vom letzten Monat',
    'Wo kann ich | für eine Blutabnahme parken',
    'Ich muss | meinen Termin für morgen absagen',
    'Ist es möglich | jemanden aus der Radiologie zu sprechen',
    'Mein Hausarzt sagte dass | ich diese Nummer anrufen soll',
    'Wann schließt | die Apotheke heute',
    'Ich habe meine | Krankenhauskarte verloren',
    'Können Sie mich bitte | mit der Notaufnahme verbinden',
    'Ich rufe an weil | meine Ergebnisse noch nicht online sind',
  ],
};
