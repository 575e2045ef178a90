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
  { re: /\b(write|compose|draft|make up|come up with|invent|imagine|create)\b[^.?!]{0,40}\b(story|poem|song|lyrics|slogan|joke|names?|ideas?|tale|verse|tagline|title)/, w: 2 },
  { re: /\b(names? for|ideas? for|creative)\b/, w: 1.5 },
  { re: /\bjokes?\b/, w: 2 },
  // es / pt
  { re: /\b(cuento|poema|poesia|cancion|cancao|eslogan|lluvia de ideas|chuva de ideias|fabula|rima|letra de|chiste|piada|conto)\b/, w: 3 },
  { re: /\b(escribe|escreva|escreve|inventa|invente|imagina|imagine|crea|cria|crie)\b[^.?!]{0,40}\b(historia|cuento|conto|poema|cancion|cancao|eslogan|slogan|ideas|ideias|nombres|nomes)/, w: 2 },
  // fr
  { re: /\b(poeme|poesie|chanson|paroles|conte|remue-meninges|comptine|blague)\b/, w: 3 },
  { re: /\b(ecris|ecrivez|invente|inventez|imagine|imaginez|redige|redigez)\b[^.?!]{0,40}\b(histoire|conte|poeme|chanson|slogan|idees|noms)/, w: 2 },
  // de
  { re: /\b(gedicht|marchen|lied|liedtext|songtext|werbespruch|reim\w*|witz|kurzgeschichte)\b/, w: 3 },
  { re: /\b(schreib\w*|erfinde\w*|dicht\w*|stell dir vor)\b[^.?!]{0,40}\b(geschichte|gedicht|lied|slogan|ideen|namen)/, w: 2 },
];

const analytical: Cue[] = [
  { re: /\b(explain|compare|comparison|evaluate|assess|analy[sz]e|analysis|diagnose|debug|calculate|compute|solve|derive|prove|estimate|optimi[sz]e|troubleshoot|summari[sz]e|recommend)\w*/, w: 3 },
  { re: /\b(pros and cons|trade-?offs?|difference between|differences between|which is better|should i|step by step|root cause|what causes|how does|how do|how can i|how to|how much|how many|versus|vs\.?)\b/, w: 3 },
  { re: /\b(why|what is|what are|plan|strategy|review|break down|outline|cost|performance|error|bug|fix)\b/, w: 1.5 },
  { re: /\d+(\.\d+)?\s*[-+*\/^x×%]\s*\d+|```|\b(equation|integral|derivative|probability|algorithm|complexity)\b/, w: 3 },
  // es / pt
  { re: /\b(explica\w*|compara\w*|evalua\w*|avali\w*|analiza\w*|analis\w*|calcul\w*|resuelv\w*|resolv\w*|diagnostic\w*|recomiend\w*|recomend\w*|planifica\w*|planej\w*|resum\w*)\b/, w: 3 },
  { re: /\b(por que|porque|como funciona|ventajas y desventajas|vantagens e desvantagens|pros y contras|pros e contras|diferencia entre|diferenca entre|cual es mejor|qual e melhor|deberia|devo)\b/, w: 3 },
  // fr
  { re: /\b(expliqu\w*|compar\w*|evalu\w*|analys\w*|calcul\w*|resou\w*|diagnostiqu\w*|recommand\w*|planifi\w*|resum\w*)\b/, w: 3 },
  { re: /\b(pourquoi|comment fonctionne|comment marche|avantages et inconvenients|difference entre|quel est le meilleur|devrais-je|combien)\b/, w: 3 },
  // de
  { re: /\b(erklar\w*|vergleich\w*|bewert\w*|analysier\w*|berechn\w*|diagnostizier\w*|empfiehl\w*|empfehl\w*|plane|zusammenfass\w*)\b/, w: 3 },
  { re: /\b(warum|wieso|weshalb|wie funktioniert|vor- und nachteile|vor und nachteile|unterschied zwischen|welche\w* ist besser|sollte ich|wie viel\w*)\b/, w: 3 },
];

const greetingsStart =
  /^(hi|hello|hey|heya|yo|hiya|good (morning|afternoon|evening|night)|thanks|thank you|thx|ty|cheers|bye|goodbye|see you|how are you|how's it going|what's up|whats up|sup|nice to meet you|ok|okay|cool|great|awesome|lol|haha|hola|buenos dias|buenas( tardes| noches)?|gracias|adios|hasta luego|que tal|como estas|bonjour|salut|bonsoir|merci|au revoir|a bientot|ca va|coucou|hallo|guten (morgen|tag|abend)|danke|tschuss|auf wiedersehen|wie geht'?s|servus|moin|ola|oi|bom dia|boa (tarde|noite)|obrigad[oa]|tchau|ate logo|tudo bem|como vai)\b/;
const smallTalk: Cue[] = [
  { re: /\b(how are you|how's your day|how was your day|nice to meet you|good to see you|you're (great|awesome|funny)|i'm (bored|tired|happy|back)|what's your name|who are you|comment vas-tu|comment allez-vous|como estas|como vai|wie geht es dir|tudo bem)\b/, w: 3 },
  { re: /\b(thanks|thank you|gracias|merci|danke|obrigad[oa])\b/, w: 1.5 },
];

function score(text: string, cues: Cue[]): number {
  let s = 0;
  for (const c of cues) if (c.re.test(text)) s += c.w;
  return s;
}

function normalize(text: string): string {
  // only the head matters for the type, and it keeps the cost flat for long pastes
  return text.slice(0, 2000).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[’‘]/g, "'").trim();
}

/**
 * Decides clear cases from keywords and patterns in English, Spanish, French, German and Portuguese, in a few
 * microseconds. Confidence reflects the margin between the best and second-best type.
 */
export function classifyByRules(text: string): RuleClassification {
  const t = normalize(text);
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
