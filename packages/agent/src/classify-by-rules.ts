import type { TaskType } from "@alma/protocol";

export interface RuleClassification {
  type: TaskType;
  /** 0..1; below AMBIGUOUS_BELOW the manager asks the model */
  confidence: number;
}

/** Rule decisions under this confidence are ambiguous and go to the model. */
export const AMBIGUOUS_BELOW = 0.7;

interface Cue {
  re: RegExp;
  w: number;
}

// Patterns run on lower-cased text without diacritics, so "pourquoi"/"poème"/"erklär" need no accent variants.
const creative: Cue[] = [
  { re: /\b(haiku|limerick|sonnet|lyrics|slogan|tagline|jingle|brainstorm\w*|once upon a time|fairy ?tale|screenplay|short story|bedtime story)\b/, w: 3 },
  { re: /\b(story|stories|poem|poems|poetry|song|rap|verse|ode|fable|fiction|rhyme\w*|catchy|metaphors?)\b/, w: 2.5 },
  {
    re: /\b(write|compose|draft|make up|come up with|invent|imagine|create)\b[^.?!]{0,40}\b(story|poem|song|lyrics|slogan|joke|names?|ideas?|tale|verse|tagline|title)/,
    w: 2,
  },
  { re: /\b(names? for|ideas? for|creative)\b/, w: 1.5 },
  { re: /\bjokes?\b/, w: 2 },
  // pieces for an occasion, riddles, dialogues, role play
  {
    re: /\b((wedding|birthday|retirement|farewell|graduation|funny|short|best man'?s?) (toast|speech)|(toast|speech|eulogy|vows) (for|to|at)|riddles?|dialogue (between|for)|pretend (you'?re|you are|to be)|imagine (you'?re|you are|being|that you'?re))\b/,
    w: 2.5,
  },
  {
    re: /\b(message|card|text|texto|mensaje|mensagem|texte|carte|karte|nachricht|wishes)\b[^.?!]{0,25}\b(birthday|anniversary|wedding|valentine'?s?|mother'?s day|father'?s day|christmas|cumpleanos|aniversario|boda|san valentin|dia de la madre|dia del padre|navidad|casamento|dia dos namorados|dia das maes|natal|anniversaire|mariage|saint-valentin|fete des meres|noel|geburtstag|hochzeit|valentinstag|muttertag|weihnachten)\b/,
    w: 2.5,
  },
  { re: /\b(birthday|anniversary|wedding|valentine'?s?|christmas|get well|thank-you) (message|card|note|wish(es)?|text|poem)\b/, w: 2.5 },
  // es / pt
  {
    re: /\b(cuento|poema|poesia|cancion|cancao|eslogan|lluvia de ideas|chuva de ideias|fabula|rima|letra de|chiste|piada|conto|relato|microrrelato|adivinanza|acertijo|charada|brindis|brinde)\b/,
    w: 3,
  },
  {
    re: /\b(escribe|escribeme|escreva|escreve|inventa|invente|imagina|imagine|crea|cria|crie|cuentame|cuenta|narra|conta|conte|faz|faca)\b[^.?!]{0,40}\b(historia|historinha|cuento|conto|relato|poema|cancion|cancao|eslogan|slogan|ideas|ideias|nombres|nomes|dialogo|discurso)/,
    w: 2,
  },
  {
    re: /\b(ideas|ideias|nombres|nomes) (de|para|pra)\b|\b(imagina que (eres|estas|es)|finge que (eres|es)|faz de conta que)\b|\bdiscurso (para|de boda|de casamento)\b/,
    w: 2.5,
  },
  // fr
  { re: /\b(poeme|poesie|chanson|paroles|conte|remue-meninges|comptine|blague|devinette)\b/, w: 3 },
  {
    re: /\b(ecris|ecrivez|invente|inventez|imagine|imaginez|redige|redigez|raconte\w*|trouve|trouvez|propose|proposez|donne)(-moi|-nous)?\b[^.?!]{0,40}\b(histoire|conte|poeme|chanson|slogan|idees|noms|dialogue|discours)/,
    w: 2,
  },
  { re: /\b(idees (de|pour)|noms pour|imagine que tu|fais comme si tu|discours (pour|de mariage))\b/, w: 2.5 },
  // de
  // German compounds: "Kindergedicht", "Werbeslogan", "Kinderreim"; "-geschichte" alone also means history, and
  // "-spruch" also "Einspruch", "Anspruch"
  {
    re: /(gedicht|marchen|liedtext|songtext|slogan|reim|reime)\b|\b(werbe|trink|geburtstags|gluckwunsch|sinn|kalender|liebes)spruch\b|\b(lied|witz|ratsel)\b|\b(kurz|krimi|grusel|gute ?nacht|gutenacht|liebes|abenteuer|kinder|weihnachts|tier|fantasy|horror|detektiv|mini)geschichte\b|(kinder|schlaf|geburtstags|liebes|weihnachts)lied\b/,
    w: 3,
  },
  { re: /\b(schreib\w*|erfinde\w*|dicht\w*|erzahl\w*|denk\w* dir|stell dir vor)\b[^.?!]{0,40}(geschichte|gedicht|lied|slogan|ideen|namen|dialog|rede)/, w: 2 },
  {
    re: /\b(ideen (fur|zu)|namen fur|namensideen|stell dir vor,? du (bist|warst)|(hochzeits|geburtstags|abschieds)rede|rede (fur|zur|zum)|trinkspruch)\b/,
    w: 2.5,
  },
];

const analytical: Cue[] = [
  {
    re: /\b(explain|compare|comparison|evaluate|assess|analy[sz]e|analysis|diagnose|debug|calculate|compute|solve|derive|prove|estimate|optimi[sz]e|troubleshoot|summari[sz]e|recommend)\w*/,
    w: 3,
  },
  {
    re: /\b(pros and cons|trade-?offs?|difference between|differences between|which is better|should i|step by step|root cause|what causes|how does|how do|how can i|how to|how much|how many|versus|vs\.?)\b/,
    w: 3,
  },
  { re: /\b(why|what is|what are|plan|strategy|review|break down|outline|cost|performance|error|bug|fix)\b/, w: 1.5 },
  { re: /\d+(\.\d+)?\s*[-+*/^x×%]\s*\d+|```|\b(equation|integral|derivative|probability|algorithm|complexity)\b/, w: 3 },
  // es / pt
  {
    re: /\b(explica\w*|compara\w*|evalua\w*|avali\w*|analiza\w*|analis\w*|calcul\w*|resuelv\w*|resolv\w*|diagnostic\w*|recomiend\w*|recomend\w*|planifica\w*|planej\w*|resum\w*)\b/,
    w: 3,
  },
  {
    re: /\b(por que|porque|como funciona|ventajas y desventajas|vantagens e desvantagens|pros y contras|pros e contras|diferencia entre|diferenca entre|cual es mejor|qual e melhor|deberia|devo)\b/,
    w: 3,
  },
  // fr
  { re: /\b(expliqu\w*|compar\w*|evalu\w*|analys\w*|calcul\w*|resou\w*|diagnostiqu\w*|recommand\w*|planifi\w*|resum\w*)\b/, w: 3 },
  { re: /\b(pourquoi|comment fonctionne|comment marche|avantages et inconvenients|difference entre|quel est le meilleur|devrais-je|combien)\b/, w: 3 },
  // de
  { re: /\b(erklar\w*|vergleich\w*|bewert\w*|analysier\w*|berechn\w*|diagnostizier\w*|empfiehl\w*|empfehl\w*|plane|zusammenfass\w*)\b/, w: 3 },
  {
    re: /\b(warum|wieso|weshalb|wie funktioniert|vor- und nachteile|vor und nachteile|unterschied zwischen|welche\w* ist besser|sollte ich|wie viel\w*)\b/,
    w: 3,
  },
  // definitions, translations and conversions, in every language
  {
    re: /\b(define|definition|meaning of|what does\b[^.?!]{1,40}\bmean|convert|translate|que significa|que quiere decir|definicion|como se dice|o que significa|o que quer dizer|definicao|como se diz|que veut dire|que signifie|comment dit-on|was bedeutet|was heisst|wie sagt man|ubersetz\w*|umrechn\w*|tradu\w*)\b/,
    w: 3,
  },
  // a question word at the start: a question to answer, unless a chat cue says otherwise
  {
    re: /^(who|whom|whose|when|where|which|what|whats|how|quien|quienes|cuando|donde|cual|cuales|cuant[oa]s?|que|quem|quando|onde|qual|quais|o que|quant[oa]s?|qui|quand|ou|quel\w*|combien|c'est quoi|qu'est-ce|en quelle|wer|wann|wo|welche\w*|was|wie|wieviel\w*)\b/,
    w: 1.5,
  },
];

const greetingsStart =
  /^(hi|hello|hey|heya|yo|hiya|good (morning|afternoon|evening|night)|thanks|thank you|thx|ty|cheers|bye|goodbye|see you|how are you|how's it going|what's up|whats up|sup|nice to meet you|ok|okay|cool|great|awesome|lol|haha|hola|buenos dias|buenas( tardes| noches)?|gracias|adios|hasta luego|que tal|como estas|bonjour|salut|bonsoir|merci|au revoir|a bientot|ca va|coucou|hallo|guten (morgen|tag|abend)|danke|tschuss|auf wiedersehen|wie geht'?s|was geht|servus|moin|que onda|quoi de neuf|e ai|ola|oi|bom dia|boa (tarde|noite)|obrigad[oa]|tchau|ate logo|tudo bem|como vai)\b/;
const smallTalk: Cue[] = [
  {
    re: /\b(how are you|how's your day|how was your day|nice to meet you|good to see you|you're (great|awesome|funny)|i'm (bored|tired|happy|back)|what's your name|who are you|comment vas-tu|comment allez-vous|como estas|como vai|wie geht es dir|tudo bem)\b/,
    w: 3,
  },
  { re: /\b(thanks|thank you|gracias|merci|danke|dank|obrigad[oa]|valeu)\b/, w: 1.5 },
  // laughter, apologies, never mind
  { re: /\b(a?(ha){2,}h?|(he){2,}|lol|lmao|rofl|(ja){2,}|(je){2,}|k{3,}|rs(rs)+|mdr|ptdr|(hi){2,})\b/, w: 2 },
  {
    re: /^(sorry|my bad|oops|perdon|perdona|lo siento|disculpa|desculpa|foi mal|pardon|desole|oups|entschuldigung|tut mir leid)\b|\b(never ?mind|forget it|no worries|olvidalo|da igual|no pasa nada|deixa pra la|esquece|tranquilo|laisse tomber|pas grave|vergiss es|schon gut|egal)\b/,
    w: 2.5,
  },
  // how one feels or what just happened
  {
    re: /^(i'?m|im|i am|i feel|i'?m feeling|im feeling|feeling) (so |very |really |a bit |kinda |kind of |super |pretty |soo+ )?(tired|bored|sad|happy|excited|sleepy|hungry|sick|stressed|nervous|lonely|fine|down|back|exhausted|cold)\b|^i just (got|had|finished|came|woke)\b/,
    w: 2.5,
  },
  {
    re: /^(estoy|me siento|ando|estou|to|me sinto|je suis|je me sens|chuis|ich bin|mir ist|mir geht'?s|bin) (\w+ )?(muy |tan |un poco |super |muito |meio |tao |tres |trop |un peu |si |so |sehr |total |echt |etwas )?(cansad[oa]|aburrid[oa]|entediad[oa]|triste|feliz|content[oa]?e?|nervios[oa]|nervos[oa]|enferm[oa]|doente|estresad[oa]|estressad[oa]|com (fome|sono)|fatiguee?|heureux|heureuse|crevee?|malade|stressee?|de retour|mude|traurig|glucklich|gelangweilt|langweilig|krank|gestresst|zuruck|kalt)\b/,
    w: 2.5,
  },
  // questions to alma herself
  {
    re: /\b(your (favou?rite|name|age)|do you (like|love|remember|dream|sleep|have (feelings|a name|friends))|are you (human|real|a (robot|bot|person|human)|an ai|alive|conscious|sentient)|como te llamas|eres (un robot|humano|humana|real)|te gusta|tu es (un robot|humain|humaine|une ia)|tu aimes|bist du (ein mensch|ein roboter|eine ki|echt)|magst du|voce e (um robo|humano|humana|uma ia)|voce gosta)\b/,
    w: 3,
  },
];

function score(text: string, cues: Cue[]): number {
  let s = 0;
  for (const c of cues) if (c.re.test(text)) s += c.w;
  return s;
}

/**
 * The form every rule pattern is written for: the first 2000 characters, lower case, without diacritics
 * ("poème" → "poeme", "erklär" → "erklar"), "ß" as "ss" and typographic apostrophes as "'". Only the head
 * matters for the type, and the cut keeps the cost flat for long pastes.
 */
export function normalizeForRules(text: string): string {
  return text
    .slice(0, 2000)
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .replace(/[’‘]/g, "'")
    .trim();
}

/**
 * Decides clear cases from keywords and patterns in English, Spanish, French, German and Portuguese, in a few
 * microseconds. Confidence reflects the margin between the best and second-best type.
 */
export function classifyByRules(text: string): RuleClassification {
  const t = normalizeForRules(text);
  const words = t.split(/\s+/).filter(Boolean).length;
  const scores: Record<TaskType, number> = {
    creative: score(t, creative),
    analytical: score(t, analytical),
    conversational: score(t, smallTalk) + (greetingsStart.test(t) ? (words <= 6 ? 3 : 1.5) : 0),
  };
  const ranked = (Object.entries(scores) as Array<[TaskType, number]>).sort((a, b) => b[1] - a[1]);
  const [top, second] = [ranked[0]!, ranked[1]!];
  if (top[1] === 0) {
    // nothing matched: a few words are most likely chat, anything longer a question to work on
    return words <= 4 ? { type: "conversational", confidence: 0.55 } : { type: "analytical", confidence: 0.45 };
  }
  const margin = top[1] - second[1];
  if (margin === 0) {
    // a tie: prefer the type that does more work, since a plan for small talk costs less than a shallow analysis
    const tied = ranked.filter(([, s]) => s === top[1]).map(([k]) => k);
    const type = tied.includes("analytical") ? "analytical" : tied.includes("creative") ? "creative" : "conversational";
    return { type, confidence: 0.5 };
  }
  const confidence = Math.min(0.98, 0.5 + 0.12 * margin + (second[1] === 0 ? 0.15 : 0));
  return { type: top[0], confidence: Math.round(confidence * 100) / 100 };
}
