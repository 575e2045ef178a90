import { describe, expect, it } from "vitest";
import type { TaskType } from "@alma/protocol";
import { classifyByRules } from "./classify-by-rules.js";
import { classifyTask } from "./classify-task.js";
import { FakeChatModel, lastUserText } from "./testing/fake-chat-model.js";

const table: Array<[string, TaskType]> = [
  // creative, English
  ["Write a haiku about rain", "creative"],
  ["Write me a short story about a dragon who is afraid of fire", "creative"],
  ["Compose a poem for my mother's birthday", "creative"],
  ["Give me a catchy slogan for a coffee shop", "creative"],
  ["Brainstorm names for a hiking app", "creative"],
  ["Write song lyrics about summer love", "creative"],
  ["Tell me a bedtime story about a sleepy owl", "creative"],
  ["Come up with 10 ideas for a fantasy novel", "creative"],
  ["A limerick about a cat from Peru, please", "creative"],
  ["Invent a fairy tale where the moon gets lost", "creative"],
  ["Write a rap verse about coding late at night", "creative"],
  ["Tell me a joke about penguins", "creative"],
  // creative, other languages
  ["Escribe un poema sobre el mar", "creative"],
  ["Inventa un cuento para niños sobre un robot", "creative"],
  ["Dame un eslogan para una panadería", "creative"],
  ["Écris un poème sur l'automne", "creative"],
  ["Invente une histoire de pirates pour mon fils", "creative"],
  ["Schreib mir ein Gedicht über den Winter", "creative"],
  ["Erfinde eine Geschichte über einen mutigen Hund", "creative"],
  ["Escreva um poema sobre saudade", "creative"],
  ["Crie um slogan para uma loja de bicicletas", "creative"],
  ["Uma chuva de ideias para nomes de restaurante", "creative"],
  // analytical, English
  ["Compare TCP and UDP for a multiplayer game and recommend one", "analytical"],
  ["Explain how a transformer neural network works", "analytical"],
  ["Why is the sky blue?", "analytical"],
  ["How does garbage collection work in Java?", "analytical"],
  ["What are the pros and cons of remote work?", "analytical"],
  ["Calculate the monthly payment on a 200000 loan at 5% over 30 years", "analytical"],
  ["Diagnose why my Node server leaks memory under load", "analytical"],
  ["Evaluate this business plan for a food truck", "analytical"],
  ["Plan a 3-day trip to Rome on a budget", "analytical"],
  ["What is the difference between a process and a thread?", "analytical"],
  ["Should I use PostgreSQL or MongoDB for an analytics app?", "analytical"],
  ["What is 17 * 23?", "analytical"],
  ["Summarize the causes of World War I", "analytical"],
  ["How can I speed up my React app?", "analytical"],
  ["Analyze the time complexity of quicksort", "analytical"],
  ["Rust vs Go for a CLI tool", "analytical"],
  // analytical, other languages
  ["¿Por qué el cielo es azul?", "analytical"],
  ["Explica cómo funciona la fotosíntesis", "analytical"],
  ["Compara Python y JavaScript para ciencia de datos", "analytical"],
  ["Pourquoi la mer est-elle salée ?", "analytical"],
  ["Explique-moi la différence entre TCP et UDP", "analytical"],
  ["Quels sont les avantages et inconvénients du télétravail ?", "analytical"],
  ["Erkläre mir, wie ein Verbrennungsmotor funktioniert", "analytical"],
  ["Warum ist der Himmel blau?", "analytical"],
  ["Vergleiche Kubernetes und Docker Swarm", "analytical"],
  ["Explique como funciona a inflação", "analytical"],
  ["Quais são as vantagens e desvantagens de energia solar?", "analytical"],
  ["Calcule a área de um círculo de raio 3", "analytical"],
  // conversational
  ["Hi!", "conversational"],
  ["hello there", "conversational"],
  ["Good morning, alma", "conversational"],
  ["Thanks a lot!", "conversational"],
  ["thank you, that helped", "conversational"],
  ["How are you today?", "conversational"],
  ["bye, see you tomorrow", "conversational"],
  ["lol nice", "conversational"],
  ["Hola, ¿qué tal?", "conversational"],
  ["Muchas gracias", "conversational"],
  ["Bonjour !", "conversational"],
  ["Merci beaucoup", "conversational"],
  ["Hallo, wie geht's?", "conversational"],
  ["Danke schön", "conversational"],
  ["Oi, tudo bem?", "conversational"],
  ["Obrigado!", "conversational"],
  ["nice to meet you", "conversational"],
  ["what's up", "conversational"],
  // short questions with one answer are analytical (routeTask gives them a single pass), in every language
  ["Who wrote Pride and Prejudice?", "analytical"],
  ["What is the capital of France?", "analytical"],
  ["Define photosynthesis in one sentence", "analytical"],
  ["How do tides work?", "analytical"],
  ["who invented the telephone", "analytical"],
  ["when was the eiffel tower built", "analytical"],
  ["what does idempotent mean", "analytical"],
  ["convert 10 miles to km", "analytical"],
  ["quién pintó el guernica", "analytical"],
  ["qué significa resiliencia", "analytical"],
  ["qui a écrit les misérables", "analytical"],
  ["que signifie flâner", "analytical"],
  ["wer hat die glühbirne erfunden", "analytical"],
  ["was bedeutet fernweh", "analytical"],
  ["quem pintou a monalisa", "analytical"],
  ["o que quer dizer cafuné", "analytical"],
  // creative forms beyond stories and poems: speeches, toasts, riddles, dialogues, role play, texts for an occasion
  ["write a retirement speech for my boss", "creative"],
  ["a toast for my parents' 40th anniversary", "creative"],
  ["give me a riddle about a clock", "creative"],
  ["write a dialogue between a cat and a vacuum cleaner", "creative"],
  ["pretend you are a pirate and describe your ship", "creative"],
  ["imagine you're a tree watching the city grow", "creative"],
  ["escribe un relato corto sobre un faro", "creative"],
  ["un texto bonito para el día de la madre", "creative"],
  ["escreve uma mensagem de aniversário para minha mãe", "creative"],
  ["un message d'anniversaire pour mon collègue", "creative"],
  ["einen text zum geburtstag meiner mutter", "creative"],
  // telling a story, in each language; German compounds
  ["cuéntame una historia de piratas", "creative"],
  ["raconte-moi une histoire de fantômes", "creative"],
  ["erzähl mir eine geschichte von einem drachen", "creative"],
  ["me conta uma história de amor", "creative"],
  ["schreib eine gutenachtgeschichte für meine tochter", "creative"],
  ["ein kinderreim über katzen", "creative"],
  ["wie lege ich einspruch gegen meinen steuerbescheid ein", "analytical"],
  ["habe ich anspruch auf elterngeld als selbstständige", "analytical"],
  // names and ideas without a verb
  ["nombres para una banda de rock", "creative"],
  ["ideias de nome para um gato", "creative"],
  ["propose-moi des noms pour un bateau", "creative"],
  ["ideen für namen für unseren hund", "creative"],
  // chat that is not a greeting: apologies, laughter, how one feels, never mind, questions to alma herself
  ["sorry, my bad", "conversational"],
  ["perdón, me equivoqué de chat", "conversational"],
  ["hahaha that is so true", "conversational"],
  ["jajaja sí claro", "conversational"],
  ["i'm feeling a bit down today", "conversational"],
  ["estoy muy cansada hoy", "conversational"],
  ["je suis trop contente aujourd'hui", "conversational"],
  ["ich bin heute so müde", "conversational"],
  ["tô com muita fome", "conversational"],
  ["forget it, no worries", "conversational"],
  ["vielen dank für die hilfe", "conversational"],
  ["what's your favourite movie", "conversational"],
  ["do you like music", "conversational"],
  ["are you human", "conversational"],
  ["como te llamas", "conversational"],
  ["bist du ein mensch", "conversational"],
  ["was geht", "conversational"],
  // ambiguous: no clear cue, so the rules hand them to the model
  ["the ocean at night, in a few lines", "creative"],
  ["autumn leaves falling, something melancholic", "creative"],
  ["tell me about the moon and the tides", "analytical"],
  ["my day was long and kind of boring", "conversational"],
  ["the history of the printing press", "analytical"],
];

describe("classification accuracy", () => {
  it("has a table of at least 60 labelled prompts covering every type", () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
    for (const t of ["creative", "analytical", "conversational"] as const) expect(table.filter(([, l]) => l === t).length).toBeGreaterThanOrEqual(15);
  });

  it("the rules alone are right at least 85% of the time", () => {
    const wrong = table.filter(([p, l]) => classifyByRules(p).type !== l);
    const accuracy = 1 - wrong.length / table.length;
    expect(accuracy, `misclassified: ${wrong.map(([p]) => p).join(" | ")}`).toBeGreaterThanOrEqual(0.85);
  });

  it("the rules are confident on clear cases", () => {
    for (const p of ["Write a haiku about rain", "Compare TCP and UDP for a multiplayer game and recommend one", "Hi!"]) {
      expect(classifyByRules(p).confidence).toBeGreaterThanOrEqual(0.7);
    }
  });

  it("the full classifier with a model answering JSON reaches at least 95%", async () => {
    const labels = new Map(table);
    // the fake model knows the right label: this measures that ambiguous cases are routed to it and its answer is used
    const model = new FakeChatModel((messages) => {
      const label = labels.get(lastUserText(messages)) ?? "analytical";
      return { deltas: [`{"type": "${label}",`, ` "confidence": 0.9}`] };
    });
    let right = 0;
    for (const [p, l] of table) {
      const r = await classifyTask(p, { choice: "auto", model });
      if (r.final.type === l) right++;
      if (r.consultedModel) expect(r.final.source).toBe("model");
    }
    expect(right / table.length).toBeGreaterThanOrEqual(0.95);
    expect(model.calls.length).toBeGreaterThan(0);
    expect(model.calls.length).toBeLessThan(table.length / 2);
    for (const c of model.calls) {
      expect(c.options.maxOutputTokens).toBeLessThanOrEqual(20);
      expect(c.options.temperature).toBe(0);
    }
  });
});

describe("classifyTask", () => {
  const ambiguous = "tell me something about the moon and the tides";

  it("a user override wins with confidence 1 and no model call", async () => {
    const model = new FakeChatModel(() => ({ deltas: ['{"type":"creative","confidence":1}'] }));
    const r = await classifyTask("Why is the sky blue?", { choice: "creative", model });
    expect(r.final).toEqual({ type: "creative", source: "user", confidence: 1 });
    expect(model.calls).toHaveLength(0);
  });

  it("asks the model for an ambiguous message and uses its answer", async () => {
    expect(classifyByRules(ambiguous).confidence).toBeLessThan(0.7);
    const model = new FakeChatModel(() => ({ deltas: ['```json\n{"type":"creative","confidence":0.8}\n```'] }));
    const r = await classifyTask(ambiguous, { choice: "auto", model });
    expect(r.final).toEqual({ type: "creative", source: "model", confidence: 0.8 });
    expect(r.initial.source).toBe("rules");
  });

  it("falls back to the rules on bad output", async () => {
    const model = new FakeChatModel(() => ({ deltas: ['{"type":"poetry","confidence":2}'] }));
    const r = await classifyTask(ambiguous, { choice: "auto", model });
    expect(r.final).toEqual(r.initial);
    expect(r.modelProblem).toMatch(/not the expected JSON/);
  });

  it("falls back to the rules on a timeout", async () => {
    const model = new FakeChatModel(() => ({ deltas: ['{"type":"creative",', '"confidence":0.9}'], delayMs: 200 }));
    const t0 = performance.now();
    const r = await classifyTask(ambiguous, { choice: "auto", model, timeoutMs: 50 });
    expect(performance.now() - t0).toBeLessThan(180);
    expect(r.final.source).toBe("rules");
    expect(r.modelProblem).toMatch(/within 50 ms/);
  });

  it("falls back to the rules on a provider error", async () => {
    const { LlmError } = await import("@alma/llm");
    const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError("provider_unavailable", "down") }));
    const r = await classifyTask(ambiguous, { choice: "auto", model });
    expect(r.final.source).toBe("rules");
    expect(r.modelProblem).toBe("down");
  });
});
