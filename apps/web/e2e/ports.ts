/** Fixed so the Playwright config, the stack and the tests agree; override when they are taken. */
export const E2E_WEB_PORT = Number(process.env.ALMA_E2E_WEB_PORT ?? 3107);
export const E2E_CONTROL_PORT = Number(process.env.ALMA_E2E_CONTROL_PORT ?? 3108);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_WEB_PORT}`;
export const E2E_CONTROL_URL = `http://127.0.0.1:${E2E_CONTROL_PORT}`;
