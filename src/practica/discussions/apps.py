from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """App config for discussions and Q&A."""

    name = "practica.discussions"
    label = "discussions"

    def ready(self) -> None:
        from practica.discussions.sections import register_sections

        register_sections()

        from practica.discussions.services.inbound import DiscussionListHandler
        from practica.mail.hooks import register_list_handler

        register_list_handler(DiscussionListHandler())

        from practica.discussions.services.archive import DiscussionArchiveImporter
        from practica.mail.hooks import register_archive_importer

        register_archive_importer(DiscussionArchiveImporter())

        from practica.communities.continuity import register_ownership_provider
        from practica.discussions.ownership import RoutedQuestionOwnership

        register_ownership_provider(RoutedQuestionOwnership())
