export * from "./prompt-template.js";
export * from "./creative-prompt.js";
export * from "./conversational-prompt.js";
export * from "./analytical-plan-prompt.js";
export * from "./analytical-step-prompt.js";
export * from "./analytical-synthesis-prompt.js";
export * from "./classify-prompt.js";
export * from "./continue-prompt.js";
