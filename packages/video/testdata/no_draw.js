// A module for draw_test.ts that exports no draw function.
export const width = 320;
