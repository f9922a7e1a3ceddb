import { describe, expect, it } from '@jest/globals';
import { attachmentDisposition } from './download-link.js';

/** The name a browser reads from `filename*` (RFC 5987: UTF-8, percent-encoded). */
const extendedName = (disposition: string) => {
  const encoded = /filename\*=UTF-8''([^;\s]+)$/.exec(disposition)?.[1];
  if (encoded === undefined) throw new Error(`no filename* in ${disposition}`);
  expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
  return decodeURIComponent(encoded);
};

describe('attachmentDisposition', () => {
  it.each(['活动照片.png', "Tom's (final) *copy*.pdf", 'comparison.codes.csv', 'a;b="c".png'])(
    'carries %j whole in filename*, in RFC 5987 characters only',
    (name) => {
      expect(extendedName(attachmentDisposition(name))).toBe(name);
    },
  );

  it('gives older clients a printable ASCII filename without quotes or backslashes', () => {
    expect(attachmentDisposition('活动照片.png')).toMatch(/^attachment; filename="____\.png"; /);
    expect(attachmentDisposition('a"b\\c.png')).toMatch(/^attachment; filename="a_b_c\.png"; /);
    expect(attachmentDisposition('comparison.csv')).toBe(
      `attachment; filename="comparison.csv"; filename*=UTF-8''comparison.csv`,
    );
  });
});
