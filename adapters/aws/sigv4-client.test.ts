import { describe, expect, it } from '@jest/globals';
import { checkSignature } from '../../test/fixtures/sigv4-verifier.js';

// The examples of "Signature Calculations for the Authorization Header" in the Amazon S3 API
// reference (examplebucket, 24 May 2013, AWS's example key pair).
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const example = (url: string, signedHeaders: string, signature: string, extra = {}) => ({
  method: 'GET',
  url,
  body: '',
  headers: {
    host: 'examplebucket.s3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-content-sha256': EMPTY_SHA256,
    ...extra,
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
      `SignedHeaders=${signedHeaders},Signature=${signature}`,
  },
});

describe('the SigV4 check the client tests rely on', () => {
  it.each([
    [
      'GET Object with a Range header',
      example(
        '/test.txt',
        'host;range;x-amz-content-sha256;x-amz-date',
        'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        { range: 'bytes=0-9' },
      ),
    ],
    [
      'GET Bucket Lifecycle (a subresource without a value)',
      example(
        '/?lifecycle',
        'host;x-amz-content-sha256;x-amz-date',
        'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
      ),
    ],
    [
      'GET Bucket (List Objects) with query parameters out of order',
      example(
        '/?max-keys=2&prefix=J',
        'host;x-amz-content-sha256;x-amz-date',
        '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
      ),
    ],
  ])("reproduces AWS's documented signature: %s", (_name, request) => {
    const { expected, provided } = checkSignature(request, SECRET, { encodePathAgain: false });
    expect(expected).toBe(provided);
  });

  it('tells a wrong signature', () => {
    const request = example(
      '/test.txt',
      'host;range;x-amz-content-sha256;x-amz-date',
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      { range: 'bytes=0-10' },
    );
    const { expected, provided } = checkSignature(request, SECRET, { encodePathAgain: false });
    expect(expected).not.toBe(provided);
  });
});
