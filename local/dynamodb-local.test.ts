import { describe, expect, it } from '@jest/globals';
import { javaMajorVersion } from './dynamodb-local.js';

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_402"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['openjdk version "11.0.2" 2019-01-15', 11],
    ['java version "1.7.0_80"', 7],
    ['openjdk version "25-ea" 2025-09-16', 25],
    [
      'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Ubuntu)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Ubuntu, mixed mode, sharing)\n',
      17,
    ],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx512m\nopenjdk version "21.0.4" 2024-07-16 LTS\n', 21],
  ])('reads %j as Java %i', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty string', ''],
    ['a command-not-found message', 'bash: java: command not found'],
    ['an unquoted version', 'openjdk version 17.0.15'],
    ['a non-numeric version', 'java version "abc"'],
  ])('returns undefined for %s', (_label, output) => {
    expect(javaMajorVersion(output)).toBeUndefined();
  });
});
