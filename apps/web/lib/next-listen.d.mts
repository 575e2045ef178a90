export declare const DEFAULT_HOST: string;
export declare function repoEnvFile(): string;
export declare function settingFromEnvFile(text: string, name: string): string | null;
export declare function hostFromEnvFile(text: string): string | null;
export declare function listenHost(env: Record<string, string | undefined>, envFileText: string | null): string;
export declare const DEFAULT_WEB_PORT: string;
export declare function listenPort(env: Record<string, string | undefined>, envFileText: string | null): string;
export declare function nextArgs(command: "start" | "dev", host: string, rest: string[], port?: string): string[];
