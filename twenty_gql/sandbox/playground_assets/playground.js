// Renders GraphiQL against the endpoint that served this page (config from the server).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("playground-config").textContent);
  var params = new URLSearchParams(window.location.search);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // /graphql and /metadata share an origin: give each its own saved tabs and queries.
  var prefix = "twenty-playground:" + config.endpoint + ":";
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(prefix + key); },
    setItem: function (key, value) { window.localStorage.setItem(prefix + key, value); },
    removeItem: function (key) { window.localStorage.removeItem(prefix + key); },
    clear: function () { window.localStorage.clear(); },
    get length() { return window.localStorage.length; },
  };

  var props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultQuery: config.defaultQuery,
    defaultHeaders: config.headers,
    // The API key lives in the page only: never written to the browser's storage.
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
    storage: storage,
    // The query builder: tick fields in a tree of the schema, the query is written for you.
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
  };
  if (params.get("query")) props.query = params.get("query");
  if (params.get("variables")) props.variables = params.get("variables");

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, props)
  );
})();
