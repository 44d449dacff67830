// With the payload codec on, a failure's message and stack trace travel in its encoded attributes,
// which the codec encrypts like any payload: an activity's error can name a person (a target's
// 409 body, a value that failed validation), and the history must not show it in clear. Temporal
// loads a failure converter by path with a plain require(), in the worker and in every client, so
// this one file is CommonJS: it loads the same from the sources, from dist/ and under the tests.
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
