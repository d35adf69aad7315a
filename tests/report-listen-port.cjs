// Preloaded (`node --require`) into a server the tests start with PORT=0: prints the port the
// kernel gave it, so no port has to be picked in advance (and raced for) by the test.
const http = require("node:http");
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once("listening", () => {
    process.stderr.write(`test-port-report: listening on ${this.address().port}\n`);
  });
  return listen.apply(this, args);
};
