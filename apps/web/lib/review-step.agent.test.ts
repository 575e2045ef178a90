// @vitest-environment node
import { REVIEW_STEP_ID as AGENT_REVIEW_STEP_ID, ReviewerAgent } from "@alma/agent";
import { describe, expect, it } from "vitest";
import { REVIEW_STEP_ID, REVIEWER_AGENT } from "./review-step";

describe("the page's names for the reviewer's step", () => {
  it("are the agent's", () => {
    expect(REVIEW_STEP_ID).toBe(AGENT_REVIEW_STEP_ID);
    expect(REVIEWER_AGENT).toBe(new ReviewerAgent().name);
  });
});
