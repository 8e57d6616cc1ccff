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

// More paraphrases, written to share as few words with their answers as possible (for
// tests/bench/site-queries.mjs, which reports whether the answer shares an analysed word).
export const MORE_CASES = [
  ['pause for a while', /settimeout|schedulerwait|setinterval/],
  ['sleep two seconds', /settimeout|schedulerwait/],
  ['delete a folder', /fsrm|fsrmdir|fspromisesrm/],
  ['list what is inside a folder', /readdir|opendir/],
  ['computer name on the network', /oshostname/],
  ['how many processors does the machine have', /oscpus|availableparallelism/],
  ['unzip a file', /gunzip|unzip|inflate/],
  ['encrypt a message with a secret key', /cipher/],
  ['turn text into base64', /base64|tostring|buffer/],
  ['find out the operating system', /osplatform|ostype|osrelease/],
  ['how long has the computer been on', /osuptime/],
  ['memory used by this program', /memoryusage/],
  ['kill a child program', /subprocesskill|kill/],
  ['react when a key is pressed', /keypress|readline/],
  ['measure how long code takes', /performance|perf_hooks|consoletime/],
  ['convert a web address into its parts', /url/],
  ['current user home directory', /oshomedir|userinfo/],
  ['run code on another thread', /worker_threads/],
];
