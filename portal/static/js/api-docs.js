// Starts the vendored Swagger UI on /api/docs (a file, so the CSP needs no inline script).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: -1,
  });
});
