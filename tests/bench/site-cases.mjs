// Paraphrased queries over the Node.js API docs and the sections that answer them (ids `page#anchor`),
// shared by tests/bench/site-queries.mjs and tests/bench/pagefind.mjs.
// (query, a pattern of the ids of the sections that answer it)
export const CASES = [
  ['wait some seconds before calling my function', /settimeoutcallback-delay-args/],
  ['get the current working folder', /processcwd/],
  ['which folder is the program running in', /processcwd/],
  ['how much ram is available', /osfreemem|ostotalmem/],
  ['stop the program immediately', /processexit/],
  ['end the program with an error status', /processexit/],
  ['compress data', /zlib/],
  ['shrink bytes before sending them', /zlib/],
  ['make a random number', /random/],
  ['hash a password', /scrypt|pbkdf2/],
  ['read user typing from the terminal', /readline/],
  ['join folder names into one location', /pathjoin/],
  ['environment settings of the program', /processenv/],
  ['spawn another program', /child_process/],
];
