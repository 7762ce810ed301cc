"""The platform's lowest layer: parts every app uses and none of them owns (service
errors and the transaction guard, the import framework, the xlsx writer, the COPY helper).
Nothing here imports people, exam or review."""
