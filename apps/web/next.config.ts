import type { NextConfig } from "next";

// The Content-Security-Policy is set per request in proxy.ts (it needs a nonce and the server URL read at runtime).
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  transpilePackages: ["@alma/client", "@alma/protocol"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The workspace packages are TypeScript sources that import siblings as "./x.js" (Node ESM style);
  // webpack maps those to the .ts files (Turbopack does not read this option yet, hence `--webpack`).
  experimental: { extensionAlias: { ".js": [".ts", ".tsx", ".js"] } },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
