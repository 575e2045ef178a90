import type { TaskType } from "@alma/protocol";
import type { Route } from "../route-task.js";

/** en, es, pt, fr, de are covered by the rules; it and nl are out-of-coverage probes. */
export type PromptLang = "en" | "es" | "pt" | "fr" | "de" | "it" | "nl";

export interface LabelledPrompt {
  text: string;
  lang: PromptLang;
  type: TaskType;
  /** for analytical prompts: "plan" (several parts) or "single" (one answer); null for the other types */
  route: Route | null;
}

/**
 * The EVALUATION set for the task type and the analytical route: held out from rule tuning.
 *
 * Written in one go before route-task.ts existed, as people type into a chat (lower case, typos, no question
 * marks, short and long), and labelled by the definitions in docs/routing.md. None of these prompts is in
 * classify-task.test.ts or route-task.test.ts, which hold the prompts the rules are tuned on. Do not add a
 * keyword to the rules because one prompt here needs it; if this set shows a kind of mistake, write new
 * prompts of that kind into the tuning tests and fix the rule there. Changing a label or adding prompts
 * changes the figures in docs/routing.md (see routing-quality.test.ts).
 */
export const labelledPrompts: LabelledPrompt[] = [];

const plan = (lang: PromptLang, text: string) => labelledPrompts.push({ text, lang, type: "analytical", route: "plan" });
const single = (lang: PromptLang, text: string) => labelledPrompts.push({ text, lang, type: "analytical", route: "single" });
const creative = (lang: PromptLang, text: string) => labelledPrompts.push({ text, lang, type: "creative", route: null });
const chat = (lang: PromptLang, text: string) => labelledPrompts.push({ text, lang, type: "conversational", route: null });

// ── English ────────────────────────────────────────────────────────────────────────────────────────────────
plan("en", "compare react, vue and svelte for a small team building an internal dashboard, which would you pick");
plan("en", "pros and cons of leasing vs buying a car if i drive 25k km a year");
plan("en", "my docker container keeps restarting every few minutes, logs say exit code 137. what could be causing it and how do i check");
plan("en", "Make me a 12 week training plan to go from couch to half marathon, I can run 3 days a week");
plan("en", "we're a 5 person startup, should we go with AWS, GCP or Azure? budget is tight and we mostly run postgres + a node api");
plan("en", "I have $15k in credit card debt at 22% and $8k in savings. should i pay it off all at once or keep an emergency fund? walk me through the math");
plan("en", "design the database schema for a library system with members, books, loans and late fees");
plan("en", "Our checkout conversion dropped from 3.1% to 2.2% after the redesign last week. help me figure out the root cause");
plan("en", "1. what is a roth ira 2. how is it different from a 401k 3. which should I contribute to first at 28 years old");
plan("en", "write a go-to-market strategy for a B2B invoicing tool aimed at freelancers in germany");
plan("en", "evaluate whether we should migrate our monolith to microservices. we have 40 engineers, deploys take 2 hours, and the codebase is 8 years old");
plan("en", "help me prepare for a job interview at a bank next week, what should i study each day");
plan(
  "en",
  `here are the answers from our customer survey, can you go through them and tell me the main themes and what we should fix first
- app is slow on android, takes forever to open
- love the new design but cant find the export button anymore
- billing page charged me twice in march, support never replied
- would pay more for a team plan
- dark mode please!!
- the sync between phone and laptop loses my notes sometimes
- onboarding was confusing, i didnt understand what a workspace is
- great app, use it every day
- search doesnt find words inside attachments
- price went up 30% with no warning, thinking about cancelling`,
);
single("en", "who painted the girl with a pearl earring");
single("en", "whats teh boiling point of water in fahrenheit");
single("en", "how many ounces in a cup");
single("en", "what does HTTP 418 mean");
single("en", "when did the berlin wall fall");
single("en", "how do vaccines work");
single("en", "convert 72 fahrenheit to celsius");
single("en", "what's the plural of cactus");
single("en", "how do i undo the last git commit without losing my changes");
single("en", "what is the time complexity of binary search");
single("en", "Why do cats purr?");
single("en", "define entropy in simple terms");
single("en", "can u explain what a mortgage escrow account is");
single("en", "explain how compound interest works like im 5");
creative("en", "write a short poem about my dog who loves the beach");
creative("en", "give me 5 names for a bakery that sells only croissants");
creative("en", "write a funny toast for my brothers wedding, he's a huge star wars nerd");
creative("en", "can you write a story where a lighthouse keeper finds a message in a bottle");
creative("en", "i need a tagline for my plumbing business, something clever");
creative("en", "write lyrics for a country song about a broken tractor");
creative("en", "make up a riddle for kids about the moon");
creative("en", "haiku about burnt toast pls");
creative("en", "continue this story: the door creaked open and");
creative("en", "write a dialogue between a pirate and a robot arguing about pizza");
creative("en", "give me some instagram caption ideas for a photo of a sunset at the lake");
creative("en", "write a limerick about my coworker who always microwaves fish");
creative("en", "Imagine you are a medieval knight writing a letter to his horse");
creative("en", "brainstorm 10 themes for a 30th birthday party");
creative("en", "write a bedtime story for a 4 year old about a dinosaur who cant sleep");
chat("en", "hey hows it going");
chat("en", "thanks, that worked perfectly");
chat("en", "good night!");
chat("en", "lol you're funny");
chat("en", "i'm so tired today");
chat("en", "what's your favorite color");
chat("en", "are you a robot");
chat("en", "ok cool");
chat("en", "sorry, i was away for a bit");
chat("en", "you're really helpful, thank you");
chat("en", "i just got a new puppy!!");
chat("en", "happy friday");
chat("en", "never mind");
chat("en", "do you remember me");
chat("en", "that's not what i meant haha");

// ── Spanish ────────────────────────────────────────────────────────────────────────────────────────────────
plan("es", "compara el iphone 15 y el pixel 8 para alguien que hace muchas fotos y dime cual comprarías");
plan("es", "ventajas y desventajas de estudiar medicina en españa vs en argentina");
plan("es", "mi portatil se calienta mucho y se apaga solo cuando juego, que puede ser y como lo soluciono");
plan("es", "hazme un plan de comidas semanal para bajar de peso, soy vegetariana");
plan("es", "tengo 30 mil euros ahorrados, me conviene amortizar hipoteca o invertir en fondos indexados? el interés es del 3,5%");
plan("es", "necesito una estrategia para lanzar mi tienda online de ropa en instagram, con presupuesto de 500 euros al mes");
single("es", "quien escribio cien años de soledad");
single("es", "cuantos habitantes tiene mexico");
single("es", "que significa la palabra efimero");
single("es", "como se dice 'mariposa' en ingles");
single("es", "por que se caen las hojas en otoño");
single("es", "cuál es la capital de australia");
creative("es", "escribe un poema de amor para mi novia, que rime");
creative("es", "inventa una historia corta de terror que pase en un hospital");
creative("es", "dame ideas de nombres para un perro pequeño y blanco");
creative("es", "escribeme una cancion de cumpleaños para mi abuela que cumple 90");
creative("es", "necesito un slogan para una cafeteria vegana");
creative("es", "cuentame un chiste de programadores");
creative("es", "escribe un microrrelato de 100 palabras sobre la lluvia");
creative("es", "crea un diálogo entre un gato y un perro discutiendo quien es mejor");
chat("es", "hola! que tal estas");
chat("es", "muchas gracias, me ayudaste mucho");
chat("es", "buenas noches");
chat("es", "jajaja que bueno");
chat("es", "estoy aburrido");
chat("es", "vale, perfecto");
chat("es", "eres muy listo");
chat("es", "hasta mañana!");

// ── French ─────────────────────────────────────────────────────────────────────────────────────────────────
plan("fr", "compare les forfaits free et orange pour une famille de 4 et dis-moi lequel est le plus avantageux");
plan("fr", "quels sont les avantages et les inconvénients de la voiture électrique en ville");
plan("fr", "mon site wordpress affiche une page blanche depuis la mise à jour, comment trouver la cause");
plan("fr", "fais-moi un planning de révisions pour le bac sur 6 semaines");
plan("fr", "je gagne 2800€ net par mois, aide-moi à faire un budget pour économiser pour un appart");
plan(
  "fr",
  "Analyse ce texte et résume les arguments principaux puis donne ton avis : « La semaine de quatre jours améliore le bien-être des salariés et réduit l'absentéisme. Plusieurs entreprises islandaises et britanniques ont constaté une productivité stable voire en hausse. Pourtant, dans les secteurs où l'on sert des clients en continu, comme la santé ou le commerce, il faut embaucher davantage pour couvrir les horaires, ce qui augmente les coûts. Les petites entreprises craignent de ne pas pouvoir suivre. »",
);
single("fr", "qui a peint la joconde");
single("fr", "c'est quoi la capitale du canada");
single("fr", "combien de temps faut-il pour cuire un oeuf dur");
single("fr", "que veut dire procrastiner");
single("fr", "comment fonctionne un arc-en-ciel");
single("fr", "en quelle année a eu lieu la révolution française");
creative("fr", "écris un poème sur la mer en alexandrins");
creative("fr", "raconte-moi une histoire drôle sur un escargot pressé");
creative("fr", "trouve des noms originaux pour ma chaîne youtube de cuisine");
creative("fr", "écris une chanson pour l'anniversaire de ma soeur");
creative("fr", "invente un conte pour enfants avec un dragon gentil");
creative("fr", "j'ai besoin d'un slogan pour mon salon de coiffure");
creative("fr", "écris un petit texte romantique pour la saint-valentin");
creative("fr", "imagine la lettre d'un astronaute à sa famille");
chat("fr", "salut ça va ?");
chat("fr", "merci beaucoup c'est parfait");
chat("fr", "bonne nuit");
chat("fr", "haha trop drôle");
chat("fr", "je suis fatigué aujourd'hui");
chat("fr", "d'accord merci");
chat("fr", "tu es génial");
chat("fr", "à plus tard");

// ── German ─────────────────────────────────────────────────────────────────────────────────────────────────
plan("de", "vergleiche die e-autos vw id.3 und tesla model 3 und sag mir welches besser für pendler ist");
plan("de", "vor- und nachteile von einer mietwohnung gegenüber einem eigenheim");
plan("de", "mein wlan bricht abends ständig ab, was kann die ursache sein und wie finde ich das raus");
plan("de", "erstelle mir einen lernplan für die führerscheinprüfung in 4 wochen");
plan("de", "wir wollen unsere app von firebase auf eine eigene backend-architektur umstellen. welche optionen gibt es und was empfiehlst du");
plan("de", "berechne, wie viel ich nach 20 jahren habe, wenn ich monatlich 200 euro bei 6% rendite anlege, und wie viel davon zinsen sind");
single("de", "wer hat faust geschrieben");
single("de", "wie hoch ist die zugspitze");
single("de", "was heißt schadenfreude auf englisch");
single("de", "wann ist der erste weltkrieg ausgebrochen");
single("de", "wie funktioniert ein kühlschrank");
single("de", "was ist die hauptstadt von neuseeland");
creative("de", "schreib ein gedicht über den herbst für meine oma");
creative("de", "erzähl mir eine gute nacht geschichte über einen kleinen igel");
creative("de", "mir fehlen ideen für einen namen für mein café, kannst du helfen");
creative("de", "schreibe einen lustigen songtext über den montag");
creative("de", "denk dir eine kurze krimigeschichte aus, die in hamburg spielt");
creative("de", "ich brauche einen werbeslogan für meine fahrradwerkstatt");
creative("de", "schreib eine rede für die hochzeit meines besten freundes");
creative("de", "erzähl einen witz über lehrer");
chat("de", "hi, wie geht es dir");
chat("de", "vielen dank, hat super geklappt");
chat("de", "gute nacht");
chat("de", "haha sehr gut");
chat("de", "mir ist langweilig");
chat("de", "alles klar, danke");
chat("de", "du bist echt hilfreich");
chat("de", "bis später");

// ── Portuguese ─────────────────────────────────────────────────────────────────────────────────────────────
plan("pt", "compare o nubank e o inter para quem quer investir pouco e me diga qual é melhor");
plan("pt", "quais as vantagens e desvantagens de morar em portugal sendo brasileiro");
plan("pt", "meu celular android ta descarregando muito rapido depois da atualização, o que pode ser e como resolvo");
plan("pt", "monta um roteiro de 10 dias pela itália com orçamento de 3 mil euros");
plan("pt", "preciso de uma estratégia de conteúdo pro instagram da minha loja de doces, com frequência de posts e tipos de conteúdo");
plan("pt", "tenho duas propostas de emprego: uma paga 8 mil em SP e outra 6 mil remoto. me ajude a avaliar qual aceitar considerando custo de vida");
single("pt", "quem descobriu o brasil");
single("pt", "qual a altura do cristo redentor");
single("pt", "o que significa a palavra resiliência");
single("pt", "quantos gramas tem uma xícara de farinha");
single("pt", "como funciona o pix");
single("pt", "por que o céu fica vermelho no pôr do sol");
creative("pt", "escreve um poema sobre o mar de ipanema");
creative("pt", "cria uma história infantil sobre uma tartaruga que queria voar");
creative("pt", "me dá ideias de nome pra uma loja de roupas femininas");
creative("pt", "faz uma letra de música sertaneja sobre um amor de verão");
creative("pt", "conta uma piada sobre futebol");
creative("pt", "preciso de um slogan para minha pizzaria");
creative("pt", "escreva um conto curto de ficção científica em marte");
creative("pt", "faz um texto fofo de aniversário pro meu namorado");
chat("pt", "oi, tudo bem?");
chat("pt", "valeu, ajudou demais");
chat("pt", "boa noite!");
chat("pt", "kkkkk muito bom");
chat("pt", "to cansada hoje");
chat("pt", "beleza, obrigado");
chat("pt", "você é muito legal");
chat("pt", "até amanhã");

// ── Italian and Dutch: not covered by the rules, kept to see how they fail ────────────────────────────────
plan("it", "confronta fiat panda e toyota yaris per la città e dimmi quale conviene");
single("it", "chi ha scritto la divina commedia");
creative("it", "scrivi una poesia sulla primavera");
chat("it", "ciao, come stai?");
chat("it", "grazie mille!");
plan("nl", "wat zijn de voor- en nadelen van een warmtepomp");
single("nl", "hoeveel inwoners heeft amsterdam");
creative("nl", "schrijf een gedicht over fietsen in de regen");
chat("nl", "hoi, hoe gaat het");
chat("nl", "bedankt!");
