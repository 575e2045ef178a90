import { normalizeForRules } from "./classify-by-rules.js";

/** How an analytical task is answered: a plan with several worker steps and a synthesis, or one pass. */
export type Route = "plan" | "single";

export interface RouteDecision {
  route: Route;
  /** 0..1: how sure the rules are; a decision they are unsure of is always "single" */
  confidence: number;
  /** short words for the progress line, e.g. "a comparison of several options" or "a question with one answer" */
  reason: string;
}

/** A plan needs at least this much evidence for several parts, and that much more than for one answer. */
const PLAN_AT_LEAST = 3;
const PLAN_MARGIN = 1;

interface Cue {
  re: RegExp;
  w: number;
}

interface Signal {
  reason: string;
  cues: Cue[];
}

// Patterns run on normalizeForRules' output: lower case, no diacritics, "ß" as "ss".
// Every language is spelled out inside one signal, so a signal counts once whichever language matched it.

const planSignals: Signal[] = [
  {
    reason: "a comparison of several options",
    cues: [
      { re: /\b(compare|comparing|comparison|contrast|versus|vs\.?|differences? between|differ from|better than|worse than)\b/, w: 3 },
      {
        re: /\bwhich (one )?(is|would be|works) (better|best|cheaper|faster|safer)\b|\bwhich (one )?(should|would) (i|we|you) (pick|choose|use|buy|take|go with)\b/,
        w: 3,
      },
      // es / pt
      {
        re: /\b(compara\w*|comparacion|diferencias? entre|diferencas? entre|cual (es|seria) (mejor|mas)|que es mejor|qual (e|seria) (o )?(melhor|mais)|o que e melhor)\b/,
        w: 3,
      },
      // fr
      { re: /\b(compar\w*|differences? entre|quel est (le|la) (meilleur|meilleure|plus)|vaut-il mieux|mieux vaut|lequel choisir|laquelle choisir)\b/, w: 3 },
      // de
      { re: /\b(vergleich\w*|unterschied\w* zwischen|was ist besser|welche\w* ist besser|welche\w* (soll|sollte) (ich|wir))\b/, w: 3 },
    ],
  },
  {
    reason: "pros and cons to weigh",
    cues: [
      {
        re: /\b(pros and cons|pros & cons|advantages and disadvantages|benefits and (drawbacks|risks|downsides)|upsides? and downsides?|trade-?offs?|strengths and weaknesses)\b/,
        w: 3,
      },
      {
        re: /\b(ventajas y desventajas|pros y contras|vantagens e desvantagens|pros e contras|avantages et (les )?inconvenients|le pour et le contre|vor- und nachteile|vor und nachteile|vorteile und nachteile|pro und contra)\b/,
        w: 3,
      },
    ],
  },
  {
    reason: "a decision between options",
    cues: [
      // "should I … or …" names the options to weigh
      {
        re: /\b(should|shall|do) (i|we)\b[^.?!]{0,80}\bor\b|\b(deberia|debo|devo|devemos|dois-je|devrais-je|sollte ich|soll ich|sollten wir)\b[^.?!]{0,80}\b(o|ou|oder)\b/,
        w: 3,
      },
      {
        re: /\b(evaluate|evaluating|assess|assessing|weigh up|help me (choose|decide|pick|think it through)|evalua\w*|ayudame a (elegir|decidir)|avali\w*|me ajud\w* a (escolher|decidir)|evalu\w*|aide-moi a (choisir|decider)|bewert\w*|abwag\w*|hilf mir bei der (wahl|entscheidung))\b/,
        w: 3,
      },
      // the options are counted out: "two job offers", "tres opciones", "torn between"
      {
        re: /\b(two|three|four|several|multiple|2|3|4) (\w+ )?(options|offers|alternatives|choices|candidates|approaches|quotes|proposals)\b|\b(torn between|can'?t decide between|deciding between)\b/,
        w: 3,
      },
      {
        re: /\b(dos|tres|cuatro|varias|duas|tres|quatro|varias|deux|trois|quatre|plusieurs|zwei|drei|vier|mehrere) (\w+ )?(opciones|ofertas|alternativas|propuestas|presupuestos|opcoes|propostas|orcamentos|options|offres|propositions|devis|optionen|angebote|alternativen|moglichkeiten)\b|\b(no se (cual|que) elegir|nao sei qual escolher|j'hesite entre|ich schwanke zwischen)\b/,
        w: 3,
      },
      {
        re: /\b(recommend\w*|is it worth|recomienda\w*|recomend\w*|me conviene|vale la pena|vale a pena|recommand\w*|ca vaut le coup|empfiehl\w*|empfehl\w*|lohnt (es )?sich)\b/,
        w: 2.5,
      },
      { re: /\b(should (i|we)|deberia|devo|dois-je|devrais-je|sollte ich|soll ich)\b/, w: 1.5 },
    ],
  },
  {
    reason: "a plan to put together",
    cues: [
      {
        re: /\b(make|create|draw up|put together|build|give me|write|prepare|draft|design|come up with|help me (make|build|create|with))\b[^.?!]{0,40}\b(plan|strategy|schedule|roadmap|itinerary|timetable|budget|routine|program|programme|curriculum|syllabus)\b/,
        w: 3,
      },
      { re: /\b(plan (a|an|my|our|the|out)|planning (a|an|my|our|the))\b/, w: 3 },
      {
        re: /\b(haz|hazme|crea|creame|arma|armame|prepara|preparame|elabora|organiza|organizame|disena|faz|faca|faze|cria|crie|monta|monte|prepare|elabore|organize|fais|faites|faire|cree|creer|etablis|elaborer|organise|hacer|fazer|erstell\w*|mach mir|machen|entwirf|stell\w* mir)\b[^.?!]{0,40}\b(plan|planes|plano|planning|estrategia|strategie|horario|itinerario|itineraire|roteiro|presupuesto|orcamento|budget|rutina|rotina|routine|cronograma|calendario|programa|programme|emploi du temps|\w*plan)\b/,
        w: 3,
      },
      { re: /\b(planifica\w*|planea\w*|planej\w*|planifi\w*|plane (eine?n?|meine?n?|unsere?n?))\b/, w: 3 },
      // "I need a …", "help me make a …": the request is in the noun
      {
        re: /\b(i need|i want|we need|i'?d like|necesito|quiero|necesitamos|preciso|quero|precisamos|j'ai besoin d'?|je veux|il me faut|ich brauche|wir brauchen|ich mochte|help me|ayudame a|me ajud\w* a|aide-moi a|hilf mir)\b[^.?!]{0,30}\b(plan|strategy|schedule|roadmap|itinerary|timetable|budget|routine|estrategia|horario|itinerario|presupuesto|rutina|cronograma|calendario|plano|roteiro|orcamento|rotina|planning|strategie|emploi du temps|itineraire|programme|zeitplan|\w+plan)\b/,
        w: 3,
      },
      {
        re: /\b(plan|strategy|schedule|roadmap|itinerary|timetable|budget|estrategia|itinerario|roteiro|cronograma|strategie|planning|itineraire|zeitplan|\w+plan)\b/,
        w: 1.5,
      },
    ],
  },
  {
    reason: "a problem to troubleshoot",
    cues: [
      {
        re: /\b(debug\w*|troubleshoot\w*|root cause|diagnos\w*|(likely|possible|probable) causes?|what('s| is| could be) (causing|wrong)|figure out why|find out why|depura\w*|causa raiz|cause (racine|profonde)|debogu\w*|trouver la cause|ursache\w*|fehlersuche|debugg\w*)\b/,
        w: 3,
      },
      // a symptom
      {
        re: /\b(not working|doesn'?t work|does not work|stopped working|won'?t (start|boot|load|open|connect|compile|work|turn on)|keeps? (crashing|failing|restarting|freezing|dropping|disconnecting|timing out)|crash\w*|freez\w*|leak\w*|exception|stack ?trace|traceback|segfault|error|fails|failing|broken|bug|timeouts?)\b/,
        w: 2,
      },
      {
        re: /\b(no funciona|dejo de funcionar|se cuelga|se bloquea|se apaga|se reinicia|falla\w*|error(es)?|nao funciona|parou de funcionar|trava\w*|falh\w*|erro|reinicia)\b/,
        w: 2,
      },
      {
        re: /\b(ne (marche|fonctionne) (plus|pas)|plante\w*|erreur\w*|bug\w*|fuite\w*|redemarre|funktioniert nicht|geht nicht mehr|sturzt\w* [^.?!]{0,30}\bab|absturz\w*|fehler\w*|hangt sich auf|bricht\w* [^.?!]{0,30}\bab|startet (nicht|neu)|speicherleck)\b/,
        w: 2,
      },
    ],
  },
  {
    // asking for the cause or the fix (a separate signal: a symptom and a question about it are two parts)
    reason: "a problem to troubleshoot",
    cues: [
      {
        re: /\b(what could (it|that|this) be|what could be (the )?(cause|reason)|que puede ser|o que pode ser|qu'est-ce que ca peut etre|d'ou (ca|cela) (peut )?vient|was kann (das|es|die ursache) sein|woran (kann|liegt|konnte) (das|es))\b/,
        w: 2,
      },
      {
        re: /\bwhy (does|is|do|did|would|won'?t|doesn'?t|isn'?t|can'?t|are|keeps?) (my|our)\b|\bpor que (mi|mis|nuestro|nuestra|meu|minha)\b|\bpourquoi (mon|ma|mes|notre)\b|\bwarum (geht|funktioniert|startet|ist|hangt|sturzt) (mein|meine|unser)\w*\b/,
        w: 2,
      },
      {
        re: /\b(how (do|can|should) (i|we) (fix|solve|find|check|confirm|track)|how to (fix|solve|find)|what (should i|to) (do|check)|como (lo )?(soluciono|arreglo|encuentro|descubro|resuelvo)|que (hago|puedo hacer)|que faire|comment (reparer|resoudre|trouver|regler)|was (kann|soll) ich (tun|machen)|wie finde ich|como (resolvo|conserto|descubro|arrumo)|o que (eu )?(faco|posso fazer))\b/,
        w: 1.5,
      },
    ],
  },
  {
    reason: "a calculation with several steps",
    cues: [
      {
        re: /\b(mortgage|loan|amorti[sz]\w*|compound interest|interest rate|apr|roi|break-?even|net present value|npv|irr|annuit\w*|payback|after tax|monthly payments?)\b/,
        w: 2,
      },
      {
        re: /\b(hipoteca|prestamo|interes compuesto|amortiz\w*|cuota mensual|tasa de interes|financiamento|emprestimo|juros|parcelas?|pret immobilier|credit immobilier|emprunt|interets composes|mensualite\w*|taux d'interet|kredit|darlehen|hypothek|zinseszins|zinsen|tilgung|monatliche rate|rendite)\b/,
        w: 2,
      },
    ],
  },
  {
    // a separate signal: "calculate the area of a circle" is one step, "calculate the payment on a loan" several
    reason: "a calculation with several steps",
    cues: [
      {
        re: /\b(calculate|compute|work out|walk me through the math|do the math|how much (will|would|do|does|should|can) (i|we|it)|calcula\w*|calcul\w*|berechn\w*|rechne\w*|wie viel (habe|hatte|bekomme|zahle|spare) ich)\b/,
        w: 1.5,
      },
    ],
  },
  {
    reason: "a design decision",
    cues: [
      {
        re: /\b(architect\w*|system design|microservices?|monolith\w*|data model|database schema|schema for|scal(e|able|ability) to|how should (i|we) (structure|design|architect|organi[sz]e|model|build))\b/,
        w: 3,
      },
      {
        re: /\bdesign (a|an|the|our|my)\b[^.?!]{0,40}\b(system|schema|database|api|service|backend|pipeline|architecture|infrastructure|network|data model)\b/,
        w: 3,
      },
      {
        re: /\b(arquitectura|arquitetura|microservicios|microsservicos|esquema de (la )?base de datos|esquema do banco|architecture|concevoir|conception d'(un|une)|schema de (la )?base|architektur|datenbankschema|entwirf|entwerfen)\b/,
        w: 3,
      },
    ],
  },
  {
    reason: "a request with several parts",
    cues: [
      // a second task or question joined to the first
      {
        re: /(\band|,|;)\s+(then\s+)?(recommend|suggest|explain|estimate|list|propose|outline|compare|rank|tell me|give me|show me|describe|evaluate|calculate|summari[sz]e|identify|find|how|what|which|why|where)\b/,
        w: 2,
      },
      {
        re: /\b(y|e)\s+(luego\s+|depois\s+)?(dime|di|recomienda|recomiendame|explica|explicame|sugiere|propon|como|que|cual|por que|me diga|diga|diz|recomende|explique|sugira|qual|o que)\b/,
        w: 2,
      },
      {
        re: /\b(et|puis)\s+(dis-moi|donne|recommande|explique|propose|comment|quel\w*|pourquoi|ou)\b|\bund\s+(sag|sage|empfiehl|erklar\w*|nenn\w*|wie|was|welche\w*|warum)\b/,
        w: 2,
      },
      {
        re: /\b(and also|also,|additionally|as well as|in addition|on top of that|after that|and then|y tambien|ademas|y luego|e tambem|alem disso|e depois|et aussi|en plus|de plus|ensuite|und auch|ausserdem|zusatzlich|danach|und dann|anschliessend)\b/,
        w: 1.5,
      },
      { re: /\b(each|every one|cada uno|cada una|cada um|cada uma|chacun\w*|jeweils|jede\w*)\b/, w: 1 },
    ],
  },
  {
    reason: "material to go through",
    cues: [
      {
        re: /\b(analy[sz]e|review|audit|go through|break down|look over|analiza|revisa|analise|analisa|revise|analyse|examine|passe en revue|analysier\w*|uberpruf\w*|prufe|geh [^.?!]{0,20}durch)\b[^.?!]{0,30}\b(this|these|the following|my|our|it|them|este|esta|estos|estas|esse|essa|isto|isso|meu|minha|ce|cet|cette|ces|mon|ma|mes|diesen|diese|dieses|meine?n?)\b/,
        w: 2.5,
      },
    ],
  },
];

const singleSignals: Signal[] = [
  {
    reason: "a definition",
    cues: [
      { re: /^(please )?(define|definition of|meaning of)\b|\bwhat (does|do)\b[^.?!]{1,50}\bmean\b|\bwhat is the meaning of\b/, w: 3 },
      {
        re: /\b(que significa|que quiere decir|definicion de|define|o que significa|o que quer dizer|definicao de|defina|que (veut|veulent) dire|que signifie|definition de|definis|was bedeutet|was heisst|definier\w*|definition von)\b/,
        w: 3,
      },
    ],
  },
  {
    reason: "a quick conversion",
    cues: [
      {
        re: /\b(convert|translate|how do you say)\b|\b(conversion|translation) (of|from)\b|\bhow many \w+ (are )?in (a|an|one)\b|\b\d+([.,]\d+)? ?(km|mi|miles?|kg|lbs?|pounds?|oz|ounces?|cm|mm|inch(es)?|feet|ft|celsius|fahrenheit|usd|eur|gbp|dollars?|euros?)\b (to|in)\b/,
        w: 3,
      },
      {
        re: /\b(convierte|convertir|traduce|traducir|como se dice|converta|converter|traduz\w*|como se diz|convertis|convertir|tradui\w*|comment (dit-on|on dit)|umrechn\w*|ubersetz\w*|wie sagt man)\b|\b(was heisst|que significa|como se dice)\b[^.?!]{0,40}\b(auf|en|em)\b/,
        w: 3,
      },
    ],
  },
  {
    reason: "a quick calculation",
    cues: [
      {
        re: /^(what is|what's|whats|calculate|compute|cuanto es|cuanto son|quanto e|quanto da|combien font|combien fait|was ist|wie viel ist)?\s*-?[\d.,]+\s*([-+*/x×^]|plus|minus|times|divided by|mal|por|fois)\s*-?[\d.,]+\s*\??$|^(what is|what's|whats)?\s*[\d.,]+ ?% of [\d.,]+\s*\??$/,
        w: 3,
      },
    ],
  },
  {
    reason: "a short answer",
    cues: [
      {
        re: /\b(in one sentence|in a sentence|in one line|briefly|in short|quick question|short answer|in one word|tl;?dr|eli5|like i'?m (5|five)|in simple terms|en una frase|brevemente|en pocas palabras|em uma frase|resumidamente|em poucas palavras|en une phrase|brievement|en quelques mots|in einem satz|in kurze|kurz gesagt)\b/,
        w: 2,
      },
    ],
  },
  {
    reason: "a single explanation",
    cues: [
      {
        re: /^(can you |could you |can u |pls |please )?(explain|how (does|do|did|is|are|was|were)|why (does|do|is|are|did|was|were|can'?t|don'?t)|what causes|what makes)\b/,
        w: 2,
      },
      {
        re: /^(explica\w*|por que|porque|como funciona|explique\w*|pourquoi|comment (fonctionne|marche|ca marche)|erklar\w*|warum|wieso|weshalb|wie funktioniert)\b/,
        w: 2,
      },
    ],
  },
  {
    reason: "a question with one answer",
    cues: [
      {
        re: /^(who|whom|whose|when|where|which|what|whats|what's|how (many|much|old|far|long|tall|big|high|fast|often)|is|are|was|were|does|did|do|can|has|have)\b/,
        w: 2,
      },
      {
        re: /^(quien|quienes|cuando|donde|cual|cuales|que|cuant[oa]s?|quem|quando|onde|qual|quais|o que|quant[oa]s?|qui|quand|ou|quel\w*|combien|c'est quoi|qu'est-ce|en quelle annee|wer|wann|wo|welche\w*|was|wie (viel\w*|hoch|alt|lang|weit|gross|schnell|oft|heisst|spat))\b/,
        w: 2,
      },
    ],
  },
  {
    reason: "a short how-to",
    cues: [
      {
        re: /^(how (do|can|should) (i|you|we)|how to|como (hago|puedo|se hace|faco|posso|fazer)|comment (faire|je peux|puis-je|on fait)|wie (kann|mache|macht man|geht))\b/,
        w: 1.5,
      },
    ],
  },
];

interface Scored {
  total: number;
  top: { reason: string; w: number } | null;
  signals: number;
}

function scoreSignals(t: string, signals: Signal[]): Scored {
  let total = 0;
  let signalsHit = 0;
  let top: Scored["top"] = null;
  for (const s of signals) {
    // a signal counts once, at its strongest cue: several synonyms are not several parts
    let best = 0;
    for (const c of s.cues) if (c.w > best && c.re.test(t)) best = c.w;
    if (best === 0) continue;
    total += best;
    signalsHit++;
    if (!top || best > top.w) top = { reason: s.reason, w: best };
  }
  return { total, top, signals: signalsHit };
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Decides whether an analytical task needs a plan (several worker steps and a synthesis) or one pass, from
 * keywords and the shape of the message, in English, Spanish, Portuguese, French and German, in microseconds.
 * When the evidence for several parts is thin the answer is "single", the cheap and fast path.
 */
export function routeTask(text: string): RouteDecision {
  const t = normalizeForRules(text);
  const words = t.split(/\s+/).filter(Boolean).length;
  const plan = scoreSignals(t, planSignals);
  const single = scoreSignals(t, singleSignals);

  // the shape of the message: several questions, a numbered or bulleted list, a long paste
  const head = text.slice(0, 4000);
  const questions = head
    .split("?")
    .slice(0, -1)
    .filter((q) => /\w/.test(q)).length;
  const numbered = (head.match(/(^|\s)\(?\d{1,2}[.)]\s+\S/g) ?? []).length;
  const lines = head.split("\n").filter((l) => l.trim()).length;
  let shape = 0;
  let shapeReason = "";
  if (text.length > 600 || lines >= 6) [shape, shapeReason] = [3, "material to go through"];
  else if (questions >= 2 || numbered >= 2) [shape, shapeReason] = [3, "a request with several parts"];
  else if (t.includes("```")) [shape, shapeReason] = [1.5, "material to go through"];
  if (shape > 0) {
    plan.total += shape;
    plan.signals++;
    if (!plan.top || shape > plan.top.w) plan.top = { reason: shapeReason, w: shape };
  }
  // two different kinds of work are more than twice the evidence of one
  if (plan.signals >= 2) plan.total += 1;
  // a long message is rarely one quick question, whatever its first word
  if (words > 40) single.total = Math.max(0, single.total - 1);

  if (plan.total >= PLAN_AT_LEAST && plan.total - single.total >= PLAN_MARGIN) {
    return { route: "plan", confidence: round(Math.min(0.95, 0.55 + 0.07 * (plan.total - single.total))), reason: plan.top!.reason };
  }
  const reason = single.top?.reason ?? (questions > 0 ? "a question with one answer" : words <= 6 ? "a short message" : "no sign of several parts");
  // unsure (some evidence for a plan, or none either way) still means one pass, with a lower confidence
  const confidence = single.total > 0 ? Math.min(0.95, 0.6 + 0.08 * (single.total - plan.total)) : 0.55 - 0.05 * Math.min(plan.total, 2);
  return { route: "single", confidence: round(Math.max(0.5, confidence)), reason };
}
