class ServiceError(Exception):
    """A refused action. `message` is Chinese and shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CONFLICT_MESSAGE = "该申报刚刚已被他人处理，本次操作未保存。请刷新页面后查看最新状态。"
