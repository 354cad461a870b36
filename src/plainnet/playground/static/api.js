"use strict";
/*
 * The page's conversation with the playground server: one session, its token, JSON.
 *
 * Api.create(settings) starts a session and keeps its id and token; every
 * other call sends the token in the X-Playground-Token header. A refused
 * request throws an Error whose message is the server's one-line reason and
 * whose `status` is the HTTP status (403: the session is gone).
 */
const Api = (() => {
  let session = null;
  let token = null;

  async function request(method, path, body) {
    const headers = {};
    if (token) headers["X-Playground-Token"] = token;
    const options = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try { message = (await response.json()).error || message; } catch (ignored) { /* text */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return response;
  }

  const json = async (method, path, body) => (await request(method, path, body)).json();
  const action = (name, body) => json("POST", `/api/sessions/${session}/${name}`, body);

  return {
    /** Start a new session with these settings (any subset); returns its first state. */
    async create(settings) {
      const answer = await json("POST", "/api/sessions", settings || {});
      session = answer.session;
      token = answer.token;
      return answer.state;
    },
    /** The last state: losses from epoch `since`, the points unless `dataVersion` is current. */
    state(since, dataVersion) {
      return json("GET", `/api/sessions/${session}/state?since=${since}&data=${dataVersion}`);
    },
    settings: (values) => action("settings", values),
    run: (running) => action("run", { running }),
    step: () => action("step", {}),
    reset: () => action("reset", {}),
    /** The trained model, as the Blob of a .pnet file. */
    async model() {
      return (await request("GET", `/api/sessions/${session}/model.pnet`)).blob();
    },
  };
})();
