// tools: definitions, the registry, and the JSON convention for models without function calling
export * from "./tool-error.js";
export * from "./tool-definition.js";
export * from "./tool-call-result.js";
export * from "./tool-registry.js";
export * from "./format-zod-issues.js";
export * from "./json-tool-convention.js";
// the calculator: a QuickJS sandbox
export * from "./evaluate-script.js";
export * from "./round-for-display.js";
export * from "./calculator-tool.js";
// attachments: from bytes to stored text
export * from "./attachment-error.js";
export * from "./attachment-kind.js";
export * from "./attachment-limits.js";
export * from "./extract-attachment-text.js";
export * from "./extract-pdf-text.js";
export * from "./check-csv.js";
export * from "./decode-text.js";
export * from "./locate-json-error.js";
export * from "./sniff-binary-type.js";
// retrieval: passages, the index, the researcher's tool
export * from "./estimate-tokens.js";
export * from "./chunk-document.js";
export * from "./document-index.js";
export * from "./researcher-search-tool.js";
